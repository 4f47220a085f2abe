/* buildinfo: which odmasim this is, for --version and every summary.
 * Generated at build time (meson vcs_tag over buildinfo.c.in). */
#ifndef OM_BUILDINFO_H
#define OM_BUILDINFO_H

extern const char om_version[];	   /* meson project version */
extern const char om_git_commit[]; /* git describe of the source tree, or "unknown" */

#endif
