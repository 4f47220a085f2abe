/* cfg + experiment loading: layering and errors that name file, line and key. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/support/tu.h"

static struct cfg *load_text(const char *text, char *const *sets, int n, struct om_err *e)
{
	char path[TU_PATH];
	tu_write_temp(path, text);
	struct cfg *c = exp_load(path, sets, n, e);
	unlink(path);
	return c;
}

START_TEST(layers_default_preset_file_cmdline)
{
	struct om_err e;
	char *sets[] = { "device.eta_seq=0.5" };
	struct cfg *c = load_text("[device]\npreset = a100-80g\nl_half_bytes = 64\n", sets, 1, &e);
	ck_assert_msg(c, "%s", e.msg);
	ck_assert_double_eq(cfg_real(c, "device.peak_bw_gbps"), 2039); /* preset */
	ck_assert_double_eq(cfg_real(c, "device.l_half_bytes"), 64);   /* file beats preset */
	ck_assert_double_eq(cfg_real(c, "device.eta_seq"), 0.5);       /* --set beats all */
	ck_assert_int_eq(cfg_int(c, "scheduler.max_num_seqs"), 256);   /* default */
	ck_assert_str_eq(cfg_origin(c, "device.eta_seq"), "--set");
	ck_assert_ptr_nonnull(strstr(cfg_origin(c, "device.l_half_bytes"), ":3"));
	cfg_free(c);
}
END_TEST

struct bad {
	const char *text, *set, *want[3];
};

static const struct bad bad_cfgs[] = {
	{ "[workload]\nrate = 2\nspeed = 3\n", NULL, { ":3", "workload.speed", "unknown key" } },
	{ "[workload]\nrate = 2\n[wrkload]\nrate = 3\n",
	  NULL,
	  { ":4", "unknown section [wrkload]", NULL } },
	{ "[workload]\nrate = fast\n", NULL, { ":2", "workload.rate", "finite number" } },
	{ "[workload]\nrate = nan\n", NULL, { ":2", "workload.rate", NULL } },
	{ "[workload]\nrate = 0\n", NULL, { ":2", "workload.rate", "out of range" } },
	{ "[workload]\narrival = bursty\n", NULL, { ":2", "workload.arrival", "not one of" } },
	{ "[scheduler]\nmax_num_seqs = 0\n", NULL, { ":2", "scheduler.max_num_seqs", NULL } },
	{ "[device]\npreset = h100\n", NULL, { ":2", "device.preset", "unknown device preset" } },
	{ "[device]\npreset =\n", NULL, { "device.name", "required", NULL } },
	{ "[policy]\nmax_model_len = 1\n", NULL, { ":2", "policy.max_model_len", NULL } },
	{ "[workload]\nrate = 2\nrate = 3\n", NULL, { ":3", "set twice", NULL } },
	{ "this is not ini\n", NULL, { ":1", "syntax error", NULL } },
	{ "", "workload.rate", { "--set", "section.key=value", NULL } },
	{ "", "workload.seed=-1", { "--set", "workload.seed", "out of range" } },
};

START_TEST(bad_config_names_file_line_key)
{
	const struct bad *b = &bad_cfgs[_i];
	struct om_err e = { "" };
	char *sets[] = { (char *)b->set };
	struct cfg *c = load_text(b->text, sets, b->set ? 1 : 0, &e);
	ck_assert_msg(c == NULL, "case %d accepted", _i);
	for (int k = 0; k < 3 && b->want[k]; k++)
		ck_assert_msg(strstr(e.msg, b->want[k]), "case %d: '%s' lacks '%s'", _i, e.msg,
			      b->want[k]);
}
END_TEST

START_TEST(effective_config_reloads_identically)
{
	struct om_err e;
	char *sets[] = { "workload.rate=3.5", "device.preset=a100-80g" };
	struct cfg *c = exp_load(NULL, sets, 2, &e);
	ck_assert_msg(c, "%s", e.msg);
	char *buf1 = NULL, *buf2 = NULL;
	size_t n1 = 0, n2 = 0;
	FILE *f = open_memstream(&buf1, &n1);
	cfg_write(c, f);
	fclose(f);
	struct cfg *d = load_text(buf1, NULL, 0, &e);
	ck_assert_msg(d, "%s", e.msg);
	f = open_memstream(&buf2, &n2);
	cfg_write(d, f);
	fclose(f);
	ck_assert_str_eq(buf1, buf2);
	free(buf1);
	free(buf2);
	cfg_free(c);
	cfg_free(d);
}
END_TEST

/* A number key that also accepts one word, as predictor.quantile does. */
static const struct cfg_key word_keys[] = {
	{ "t.q", CFG_REAL, "auto", 0, 1, "auto", "a number in [0, 1] or auto" },
	{ "t.x", CFG_REAL, "0.5", 0, 1, NULL, "numbers only" },
	{ NULL, 0, NULL, 0, 0, NULL, NULL },
};

static struct cfg *word_cfg(const char *text, struct om_err *e)
{
	struct cfg *c = cfg_new();
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(cfg_add_keys(c, word_keys, e), 0);
	if (cfg_load_string(c, text, "t.ini", CFG_LVL_FILE, e) < 0 || cfg_check(c, e) < 0) {
		cfg_free(c);
		return NULL;
	}
	return c;
}

static char *written(const struct cfg *c)
{
	struct om_err e;
	char *t = cfg_write_string(c, &e);
	ck_assert_msg(t, "%s", e.msg);
	return t;
}

START_TEST(real_word_reads_nan_until_derived)
{
	struct om_err e = { "" };
	struct cfg *c = word_cfg("", &e);
	ck_assert_msg(c, "%s", e.msg);
	ck_assert(isnan(cfg_real(c, "t.q"))); /* the default word */
	ck_assert(cfg_is_word(c, "t.q"));
	ck_assert(!cfg_is_word(c, "t.x"));
	ck_assert(!cfg_is_set(c, "t.q"));
	char *before = written(c);
	ck_assert_ptr_nonnull(strstr(before, "q = auto\n"));
	/* a derived value wins for the getters, may be derived again, and is not written */
	ck_assert_int_eq(cfg_load_string(c, "[t]\nq = 0.25\n", "tuner", CFG_LVL_DERIVED, &e), 0);
	ck_assert_int_eq(cfg_load_string(c, "[t]\nq = 0.5\n", "tuner", CFG_LVL_DERIVED, &e), 0);
	ck_assert_int_eq(cfg_check(c, &e), 0);
	ck_assert_double_eq(cfg_real(c, "t.q"), 0.5);
	ck_assert_str_eq(cfg_origin(c, "t.q"), "tuner:2");
	ck_assert(cfg_is_word(c, "t.q")); /* as given */
	ck_assert(!cfg_is_set(c, "t.q"));
	char *after = written(c);
	ck_assert_str_eq(before, after);
	/* a --set after the derivation changes what is written, not what is read */
	ck_assert_int_eq(cfg_set(c, "t.q=0.75", &e), 0);
	ck_assert_double_eq(cfg_real(c, "t.q"), 0.5);
	ck_assert(!cfg_is_word(c, "t.q"));
	free(before);
	free(after);
	cfg_free(c);
}
END_TEST

START_TEST(real_word_numbers_and_refusals)
{
	struct om_err e = { "" };
	struct cfg *c = word_cfg("[t]\nq = 0.3\n", &e);
	ck_assert_msg(c, "%s", e.msg);
	ck_assert_double_eq(cfg_real(c, "t.q"), 0.3);
	ck_assert(!cfg_is_word(c, "t.q"));
	cfg_free(c);
	static const char *const bad[][2] = {
		{ "[t]\nq = Auto\n", "finite number or auto" }, /* words match exactly */
		{ "[t]\nq = 2\n", "out of range" },		/* the range still holds */
		{ "[t]\nx = auto\n", "expected a finite number, got 'auto'" }, /* no word here */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		e.msg[0] = '\0';
		ck_assert_ptr_null(word_cfg(bad[i][0], &e));
		ck_assert_msg(strstr(e.msg, bad[i][1]) && strstr(e.msg, "t.ini:2"),
			      "case %zu: '%s'", i, e.msg);
	}
}
END_TEST

Suite *tu_suite(void)
{
	Suite *s = suite_create("cfg");
	TCase *tc = tu_case(s, layers_default_preset_file_cmdline);
	tcase_add_loop_test(tc, bad_config_names_file_line_key, 0,
			    (int)(sizeof bad_cfgs / sizeof bad_cfgs[0]));
	tcase_add_test(tc, effective_config_reloads_identically);
	tcase_add_test(tc, real_word_reads_nan_until_derived);
	tcase_add_test(tc, real_word_numbers_and_refusals);
	return s;
}
