/* cfg + experiment loading: layering and errors that name file, line and key. */
#include <stdio.h>
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

Suite *tu_suite(void)
{
	Suite *s = suite_create("cfg");
	TCase *tc = tu_case(s, layers_default_preset_file_cmdline);
	tcase_add_loop_test(tc, bad_config_names_file_line_key, 0,
			    (int)(sizeof bad_cfgs / sizeof bad_cfgs[0]));
	tcase_add_test(tc, effective_config_reloads_identically);
	return s;
}
