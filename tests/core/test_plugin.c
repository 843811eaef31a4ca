/* test_plugin.c - registry and plugin loader: registration, lookup, domain
 * aliases, step lists, and each refusal with its exact message. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <finn/plugin.h>

#include "test.h"

static char path_buf[4096];
static const char *fixture(const char *name)
{
    snprintf(path_buf, sizeof path_buf, "%s/%s.so", test_env("FINN_FIXTURE_DIR", "test-fixtures"),
             name);
    return path_buf;
}

static int dummy_step(finn_model **m, finn_build *b, finn_error *err)
{
    (void)m, (void)b, (void)err;
    return 0;
}

static void test_registry_basics(void)
{
    finn_error err = {0};
    finn_registry *reg = finn_registry_new(&err);
    CHECK(reg != NULL);
    static const finn_step_desc s = {"step_tidy_up", dummy_step, "tidy", NULL};
    CHECK_EQ_INT(finn_registry_add_step(reg, &s, &err), 0);
    CHECK(finn_registry_step(reg, "step_tidy_up") == &s);
    CHECK_STR(finn_registry_step_plugin(reg, "step_tidy_up"), "core");
    CHECK(finn_registry_step(reg, "step_tidy") == NULL);
    CHECK_STR(finn_registry_nearest_step(reg, "step_tidyup"), "step_tidy_up");
    CHECK(finn_registry_nearest_step(reg, "completely_else") == NULL);
    /* duplicate without override */
    CHECK_EQ_INT(finn_registry_add_step(reg, &s, &err), -1);
    CHECK_STR(err.msg, "plugin core: step 'step_tidy_up' is already registered by plugin core "
                       "(set override_steps: true in the recipe to replace it)");
    finn_registry_allow_override(reg, true);
    CHECK_EQ_INT(finn_registry_add_step(reg, &s, &err), 0);
    CHECK_EQ_INT(finn_registry_step_count(reg), 1);

    /* FINN's step lists are built in */
    const char *const *steps;
    CHECK_EQ_INT(finn_registry_step_list(reg, "estimate_only", &steps), 10);
    CHECK_STR(steps[0], "step_qonnx_to_finn");
    CHECK_STR(steps[9], "step_generate_estimate_reports");
    CHECK_EQ_INT(finn_registry_step_list(reg, "default", &steps), 19);
    CHECK_STR(steps[18], "step_deployment_package");
    CHECK_EQ_INT(finn_registry_step_list(reg, "hw_codegen_dataflow_steps", &steps), 11);
    CHECK_EQ_INT(finn_registry_step_list(reg, "nope", &steps), 0);

    /* ops and domain aliases */
    static const finn_op quant = {"qonnx.custom_op.general", "Quant", NULL, NULL, NULL, NULL};
    static const finn_op add = {"", "Add", NULL, NULL, NULL, NULL};
    CHECK_EQ_INT(finn_registry_add_op(reg, &quant, &err), 0);
    CHECK_EQ_INT(finn_registry_add_op(reg, &add, &err), 0);
    CHECK(finn_registry_op(reg, "onnx.brevitas", "Quant") == &quant);
    CHECK(finn_registry_op(reg, "finn.custom_op.general", "Quant") == &quant);
    CHECK(finn_registry_op(reg, "finn", "Quant") == &quant);
    CHECK(finn_registry_op(reg, "ai.onnx", "Add") == &add);
    CHECK(finn_registry_op(reg, "", "Add") == &add);
    CHECK(finn_registry_op(reg, "", "Quant") == NULL);
    CHECK_EQ_INT(finn_registry_op_count(reg), 2);
    finn_registry_free(reg);
}

static void test_load_good_and_duplicate(void)
{
    finn_error err = {0};
    finn_registry *reg = finn_registry_new(&err);
    CHECK_EQ_INT(finn_plugin_load(reg, fixture("good_steps"), &err), 0);
    CHECK(finn_registry_step(reg, "test_step_a") != NULL);
    CHECK_STR(finn_registry_step_plugin(reg, "test_step_a"), "good_steps");
    /* loading the same file again is a no-op, not a duplicate */
    CHECK_EQ_INT(finn_plugin_load(reg, fixture("good_steps"), &err), 0);
    CHECK_EQ_INT(finn_registry_step_count(reg), 3);
    char want[4200];
    snprintf(want, sizeof want,
             "plugin %s (dup_step): plugin dup_step: step 'test_step_a' is already registered by "
             "plugin good_steps (set override_steps: true in the recipe to replace it)",
             fixture("dup_step"));
    CHECK_EQ_INT(finn_plugin_load(reg, fixture("dup_step"), &err), -1);
    CHECK_STR(err.msg, want);
    CHECK_EQ_INT(err.code, FINN_ERR_PLUGIN);
    finn_registry_free(reg);

    /* with override, the later plugin wins */
    reg = finn_registry_new(&err);
    finn_registry_allow_override(reg, true);
    CHECK_EQ_INT(finn_plugin_load(reg, fixture("good_steps"), &err), 0);
    CHECK_EQ_INT(finn_plugin_load(reg, fixture("dup_step"), &err), 0);
    CHECK_STR(finn_registry_step_plugin(reg, "test_step_a"), "dup_step");
    finn_registry_free(reg);
}

static void test_refusals(void)
{
    finn_error err = {0};
    finn_registry *reg = finn_registry_new(&err);
    char want[4200];

    CHECK_EQ_INT(finn_plugin_load(reg, fixture("bad_abi"), &err), -1);
    snprintf(want, sizeof want,
             "plugin %s: built for plugin ABI %u, but this finn-run has ABI %u; rebuild the "
             "plugin against this finn-run's headers",
             fixture("bad_abi"), FINN_ABI_VERSION + 41, FINN_ABI_VERSION);
    CHECK_STR(err.msg, want);

    CHECK_EQ_INT(finn_plugin_load(reg, fixture("no_symbol"), &err), -1);
    snprintf(want, sizeof want,
             "plugin %s: missing symbol 'finn_plugin_info' (not a finn-run plugin: define it "
             "with FINN_PLUGIN or FINN_PLUGIN_DEFINE from <finn/plugin.h>)",
             fixture("no_symbol"));
    CHECK_STR(err.msg, want);

    CHECK_EQ_INT(finn_plugin_load(reg, fixture("failing_init"), &err), -1);
    snprintf(want, sizeof want, "plugin %s (failing_init): license file missing",
             fixture("failing_init"));
    CHECK_STR(err.msg, want);

    /* a file that is not a shared object */
    const char *dir = test_tmpdir();
    char txt[512];
    snprintf(txt, sizeof txt, "%s/notes.so", dir);
    FILE *f = fopen(txt, "w");
    for (int i = 0; i < 20; i++)
        fputs("this is a text file, not a shared object\n", f);
    fclose(f);
    CHECK_EQ_INT(finn_plugin_load(reg, txt, &err), -1);
    snprintf(want, sizeof want, "plugin %s: cannot load: ", txt);
    CHECK(strncmp(err.msg, want, strlen(want)) == 0);
    CHECK_CONTAINS(err.msg, "invalid ELF header");

    /* a missing file */
    snprintf(txt, sizeof txt, "%s/missing.so", dir);
    CHECK_EQ_INT(finn_plugin_load_path(reg, txt, &err), -1);
    snprintf(want, sizeof want, "plugin %s: No such file or directory", txt);
    CHECK_STR(err.msg, want);
    CHECK_EQ_INT(finn_registry_step_count(reg), 0);
    finn_registry_free(reg);
}

static void test_default_dir(void)
{
    finn_error err = {0};
    finn_registry *reg = finn_registry_new(&err);
    /* the standard plugins are found next to libfinn.so without any
     * environment variable */
    CHECK_EQ_INT(finn_plugin_load_default(reg, &err), 0);
    CHECK_CONTAINS(finn_plugin_default_dir(), "/finn-run/plugins");
    CHECK(finn_registry_step(reg, "custom_step_add_post_proc") != NULL);
    CHECK_STR(finn_registry_step_plugin(reg, "custom_step_add_post_proc"), "examples");
    finn_registry_free(reg);
}

int main(void)
{
    test_registry_basics();
    test_load_good_and_duplicate();
    test_refusals();
    test_default_dir();
    return test_done();
}
