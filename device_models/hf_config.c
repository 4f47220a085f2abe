#include "device_models/hf_config.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

static int get_long(json_t *o, const char *key, long def, long *out, const char *path,
		    struct om_err *e)
{
	json_t *v = json_object_get(o, key);
	if (!v || json_is_null(v)) {
		if (def < 0)
			return err_set(e, path, 0, key, "missing in config.json");
		*out = def;
		return 0;
	}
	if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 100000000)
		return err_set(e, path, 0, key, "expected a positive integer");
	*out = (long)json_integer_value(v);
	return 0;
}

/* torch_dtype (or dtype): bytes per weight and KV element. */
static int get_dtype(json_t *o, int *bytes, const char *path, struct om_err *e)
{
	const char *key = json_object_get(o, "torch_dtype") ? "torch_dtype" : "dtype";
	const char *s = json_string_value(json_object_get(o, key));
	if (!s)
		return err_set(e, path, 0, "torch_dtype", "missing in config.json");
	if (!strcmp(s, "float16") || !strcmp(s, "bfloat16"))
		*bytes = 2;
	else if (!strcmp(s, "float32"))
		*bytes = 4;
	else
		return err_set(e, path, 0, key,
			       "unsupported dtype '%s' (float16, bfloat16, float32)", s);
	return 0;
}

static void name_from(json_t *o, const char *path, char *out, size_t n)
{
	const char *s = json_string_value(json_object_get(o, "_name_or_path"));
	if (s && s[0]) {
		const char *slash = strrchr(s, '/');
		snprintf(out, n, "%s", slash ? slash + 1 : s);
		return;
	}
	snprintf(out, n, "hf:%s", path);
}

int hf_config_read(const char *path, struct hf_model *m, struct om_err *e)
{
	memset(m, 0, sizeof *m);
	json_error_t je;
	json_t *o = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!o)
		return err_set(e, path, je.line, NULL, "not a JSON config: %s", je.text);
	int rc = -1;
	const char *mt = json_string_value(json_object_get(o, "model_type"));
	if (!json_is_object(o)) {
		err_set(e, path, 0, NULL, "expected a JSON object");
	} else if (!mt || (strcmp(mt, "llama") && strcmp(mt, "mistral") && strcmp(mt, "qwen2"))) {
		err_set(e, path, 0, "model_type",
			"'%s' is not an architecture odmasim can count (llama, mistral, qwen2)",
			mt ? mt : "(missing)");
	} else if (get_long(o, "num_hidden_layers", -1, &m->layers, path, e) == 0
		   && get_long(o, "num_attention_heads", -1, &m->heads, path, e) == 0
		   && get_long(o, "num_key_value_heads", m->heads, &m->kv_heads, path, e) == 0
		   && get_long(o, "hidden_size", -1, &m->hidden, path, e) == 0
		   && get_long(o, "head_dim", m->hidden / m->heads, &m->head_dim, path, e) == 0
		   && get_long(o, "intermediate_size", -1, &m->intermediate, path, e) == 0
		   && get_long(o, "vocab_size", -1, &m->vocab, path, e) == 0
		   && get_dtype(o, &m->bytes_per_elem, path, e) == 0) {
		if (m->heads % m->kv_heads)
			err_set(e, path, 0, "num_key_value_heads", "%ld does not divide %ld heads",
				m->kv_heads, m->heads);
		else
			rc = 0;
		m->tied = json_is_true(json_object_get(o, "tie_word_embeddings"));
		m->qkv_bias = !strcmp(mt, "qwen2")
			|| json_is_true(json_object_get(o, "attention_bias"));
		name_from(o, path, m->name, sizeof m->name);
		m->params = hf_params(m);
	}
	json_decref(o);
	return rc;
}

double hf_params(const struct hf_model *m)
{
	double h = (double)m->hidden, q = (double)(m->heads * m->head_dim),
	       kv = (double)(m->kv_heads * m->head_dim);
	double attn = h * q + 2 * h * kv + q * h + (m->qkv_bias ? q + 2 * kv : 0);
	double mlp = 3 * h * (double)m->intermediate;
	double layer = attn + mlp + 2 * h; /* two RMSNorm weights */
	double emb = (double)m->vocab * h * (m->tied ? 1 : 2);
	return (double)m->layers * layer + emb + h; /* final norm */
}

int hf_model_ini(const struct hf_model *m, const char *origin, char *out, size_t n)
{
	int w = snprintf(out, n,
			 "; from %s (model.hf_config); params_b computed by hf_params()\n"
			 "[model]\nname = %s\nlayers = %ld\nheads = %ld\nkv_heads = %ld\n"
			 "head_dim = %ld\nbytes_per_elem = %d\nparams_b = %.6f\n",
			 origin, m->name, m->layers, m->heads, m->kv_heads, m->head_dim,
			 m->bytes_per_elem, m->params / 1e9);
	return w > 0 && (size_t)w < n ? 0 : -1;
}
