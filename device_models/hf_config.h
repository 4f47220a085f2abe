/* hf_config: a model preset from a Hugging Face config.json (model.hf_config).
 * Reads layers, heads, KV heads, hidden and intermediate sizes, vocabulary,
 * head_dim and dtype with jansson, and writes the [model] section the presets
 * use. The parameter count is computed, not read: a decoder-only transformer
 * with a gated (3-matrix) MLP, RMSNorm, untied or tied embeddings and, for
 * Qwen2, biases on Q, K and V — the architectures it accepts (model_type
 * llama, mistral, qwen2); anything else is refused rather than guessed. */
#ifndef OM_HF_CONFIG_H
#define OM_HF_CONFIG_H

#include <stddef.h>

#include "common/err.h"

struct hf_model {
	char name[128];
	long layers, heads, kv_heads, head_dim, hidden, intermediate, vocab;
	int bytes_per_elem;
	int tied, qkv_bias;
	double params; /* computed */
};

/* Parses config.json at path (errors name the file and the field). */
int hf_config_read(const char *path, struct hf_model *m, struct om_err *e);
/* Parameters of the architecture described in the header comment. */
double hf_params(const struct hf_model *m);
/* The [model] INI section for m, into out. */
int hf_model_ini(const struct hf_model *m, const char *origin, char *out, size_t n);

#endif
