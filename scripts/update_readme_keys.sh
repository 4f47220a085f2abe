#!/bin/bash
# Regenerates the README's configuration reference from `odmasim keys`.
exec "$(dirname "$0")/update_readme.sh" keys
