/* presets: built-in device and model presets, generated at build time from
 * the .ini files in device_models/presets (add a preset: one .ini file, one line in
 * meson.build). */
#ifndef OM_PRESETS_H
#define OM_PRESETS_H

struct dev_preset {
	const char *section; /* "device" or "model" */
	const char *name;
	const char *text; /* the INI file */
};

extern const struct dev_preset dev_presets[]; /* ends with a NULL section */

#endif
