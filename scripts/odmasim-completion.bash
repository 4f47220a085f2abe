# bash completion for odmasim (installed as share/bash-completion/completions/odmasim).
# Commands and list kinds come from the binary itself, so they never go stale.
_odmasim() {
	local cur prev words cword
	_init_completion 2>/dev/null || {
		cur=${COMP_WORDS[COMP_CWORD]}
		prev=${COMP_WORDS[COMP_CWORD - 1]}
		cword=$COMP_CWORD
	}
	local bin=${COMP_WORDS[0]}
	if [ "$cword" -eq 1 ]; then
		local cmds
		cmds=$("$bin" help 2>/dev/null | awk '/^commands:/ { c = 1; next } c && NF == 0 { exit } c { print $1 }')
		COMPREPLY=($(compgen -W "$cmds help --help --version" -- "$cur"))
		return
	fi
	local cmd=${COMP_WORDS[1]}
	case $prev in
	--set | -s)
		local keys
		keys=$("$bin" keys 2>/dev/null | sed -n 's/^| `\([a-z_.0-9]*\)`.*/\1=/p')
		compopt -o nospace 2>/dev/null
		COMPREPLY=($(compgen -W "$keys" -- "$cur"))
		return
		;;
	--policies)
		COMPREPLY=($(compgen -W "$("$bin" list policies 2>/dev/null)" -- "$cur"))
		return
		;;
	-o | --out | --trace | -t)
		COMPREPLY=($(compgen -f -- "$cur"))
		return
		;;
	esac
	case $cmd in
	list)
		COMPREPLY=($(compgen -W "$("$bin" list 2>/dev/null | awk '{ print $1 }')" -- "$cur"))
		;;
	help)
		COMPREPLY=($(compgen -W "$("$bin" help 2>/dev/null | awk '/^commands:/ { c = 1; next } c && NF == 0 { exit } c { print $1 }')" -- "$cur"))
		;;
	*)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--set --out --trace --quiet --help --policies --slo --jobs" -- "$cur"))
		else
			COMPREPLY=($(compgen -f -- "$cur"))
		fi
		;;
	esac
}
complete -F _odmasim odmasim
