/* test_hw_config.c - ApplyConfig and extract_model_config_to_json
 * (hw_config.h) on toy HW ops: Defaults ("all", op list, substring string,
 * dropped when named like a top-level key), node entries winning, missing
 * and unused reports with nearest-name hints, FINN's errors, the attribute
 * catalogue lookup and Python json.dump(indent=2) output byte for byte. */
#include "finn/hw_config.h"
#include "finn/registry.h"
#include "test.h"

#include <stdlib.h>

static finn_error err;

static const finn_hw_attr MV_ATTRS[] = {{"PE", FINN_ATTR_INT, NULL},
                                        {"SIMD", FINN_ATTR_INT, NULL},
                                        {"ram_style", FINN_ATTR_STRING, "auto"},
                                        {"scale", FINN_ATTR_FLOAT, "1.0"},
                                        {"numInputVectors", FINN_ATTR_INTS, "[1]"},
                                        {NULL, 0, NULL}};
static const finn_hw_op MV_HW = {.base = "MVAU", .attrs = MV_ATTRS};
static const finn_op MV = {.domain = FINN_HW_DOMAIN, .op_type = "MVAU", .ext = &MV_HW};
static const finn_hw_attr MVH_ATTRS[] = {{"res_hls", FINN_ATTR_STRING, ""}, {NULL, 0, NULL}};
static const finn_hw_op MVH_HW = {.base = "MVAU", .impl = "hls", .attrs = MVH_ATTRS};
static const finn_op MVH = {.domain = FINN_HW_DOMAIN_HLS, .op_type = "MVAU_hls", .ext = &MVH_HW};
static const finn_hw_attr TH_ATTRS[] = {{"PE", FINN_ATTR_INT, NULL}, {NULL, 0, NULL}};
static const finn_hw_op TH_HW = {.base = "Thresholding", .attrs = TH_ATTRS};
static const finn_op TH = {.domain = FINN_HW_DOMAIN, .op_type = "Thresholding", .ext = &TH_HW};
static const finn_op MT = {.domain = "qonnx.custom_op.general", .op_type = "MultiThreshold"};

static finn_node *add(finn_model *m, const char *op, const char *domain, const char *name)
{
    finn_node *n = finn_node_new(op, domain, name, &err);
    finn_node_add_input(n, "x", &err);
    finn_node_add_output(n, name, &err);
    if (!strncmp(domain, FINN_HW_DOMAIN, strlen(FINN_HW_DOMAIN)))
        finn_node_set_attr_s(n, "backend", "fpgadataflow", &err);
    finn_model_insert_node(m, m->n_nodes, n, &err);
    return n;
}

/* MVAU_0, MVAU_hls_1, Thresholding_0, MultiThreshold_0, Relu_0 */
static finn_model *toy_model(void)
{
    finn_model *m = finn_model_new("g", &err);
    finn_node *a = add(m, "MVAU", FINN_HW_DOMAIN, "MVAU_0");
    finn_node_set_attr_i(a, "PE", 2, &err);
    finn_node_set_attr_i(a, "SIMD", 4, &err);
    finn_node_set_attr_i(add(m, "MVAU_hls", FINN_HW_DOMAIN_HLS, "MVAU_hls_1"), "PE", 1, &err);
    finn_node *t = add(m, "Thresholding", FINN_HW_DOMAIN, "Thresholding_0");
    finn_node_set_attr_i(t, "PE", 1, &err);
    finn_node_set_attr_s(t, "preferred_impl_style", "rtl", &err);
    add(m, "MultiThreshold", "qonnx.custom_op.general", "MultiThreshold_0");
    add(m, "Relu", "", "Relu_0");
    return m;
}

static char *extract(const finn_registry *reg, const finn_model *m, const char *const *attrs,
                     size_t n)
{
    char *json = NULL;
    CHECK_EQ_INT(finn_hw_extract_config(reg, m, attrs, n, &json, &err), 0);
    return json;
}

static void test_catalogue(const finn_registry *reg)
{
    finn_model *m = toy_model();
    const finn_hw_attr *a = finn_hw_attr_def(reg, m->nodes[1], "res_hls");
    CHECK(a && a->type == FINN_ATTR_STRING);
    a = finn_hw_attr_def(reg, m->nodes[1], "ram_style"); /* from the base */
    CHECK_STR(a ? a->dflt : NULL, "auto");
    a = finn_hw_attr_def(reg, m->nodes[2], "inFIFODepths"); /* common */
    CHECK_STR(a ? a->dflt : NULL, "[2]");
    CHECK(finn_hw_attr_def(reg, m->nodes[2], "ram_style") == NULL);
    CHECK(finn_hw_attr_def(reg, m->nodes[0], "res_hls") == NULL); /* variant only */
    CHECK(finn_hw_attr_def(reg, m->nodes[4], "PE") == NULL);      /* not HW */
    const char *const *ok = finn_hw_attr_allowed(reg, m->nodes[1], "ram_style");
    CHECK(ok && !strcmp(ok[0], "auto") && !strcmp(ok[3], "ultra") && !ok[4]);
    ok = finn_hw_attr_allowed(reg, m->nodes[2], "preferred_impl_style");
    CHECK(ok && !strcmp(ok[0], "") && !strcmp(ok[2], "rtl") && !ok[3]);
    CHECK(finn_hw_attr_allowed(reg, m->nodes[0], "PE") == NULL);
    finn_model_free(m);
}

static void test_extract(const finn_registry *reg)
{
    finn_model *m = toy_model();
    static const char *const IMPL[] = {"preferred_impl_style"};
    char *json = extract(reg, m, IMPL, 1);
    CHECK_STR(json, "{\n"
                    "  \"Defaults\": {},\n"
                    "  \"MVAU_0\": {\n"
                    "    \"preferred_impl_style\": \"\"\n"
                    "  },\n"
                    "  \"MVAU_hls_1\": {\n"
                    "    \"preferred_impl_style\": \"\"\n"
                    "  },\n"
                    "  \"Thresholding_0\": {\n"
                    "    \"preferred_impl_style\": \"rtl\"\n"
                    "  }\n"
                    "}");
    free(json);

    /* several attributes: set values, defaults (lists indented), unknown
     * ones skipped, required-but-unset SIMD of MVAU_hls_1 left out */
    static const char *const MANY[] = {"PE", "SIMD", "ram_style", "scale", "inFIFODepths",
                                       "nonexistent"};
    finn_node_set_attr_f(m->nodes[0], "scale", 0.1f, &err);
    finn_node_set_attr_ints(m->nodes[2], "inFIFODepths", (int64_t[]){4, 32}, 2, &err);
    json = extract(reg, m, MANY, 6);
    CHECK_STR(json, "{\n"
                    "  \"Defaults\": {},\n"
                    "  \"MVAU_0\": {\n"
                    "    \"PE\": 2,\n"
                    "    \"SIMD\": 4,\n"
                    "    \"ram_style\": \"auto\",\n"
                    "    \"scale\": 0.10000000149011612,\n"
                    "    \"inFIFODepths\": [\n"
                    "      2\n"
                    "    ]\n"
                    "  },\n"
                    "  \"MVAU_hls_1\": {\n"
                    "    \"PE\": 1,\n"
                    "    \"ram_style\": \"auto\",\n"
                    "    \"scale\": 1.0,\n"
                    "    \"inFIFODepths\": [\n"
                    "      2\n"
                    "    ]\n"
                    "  },\n"
                    "  \"Thresholding_0\": {\n"
                    "    \"PE\": 1,\n"
                    "    \"inFIFODepths\": [\n"
                    "      4,\n"
                    "      32\n"
                    "    ]\n"
                    "  }\n"
                    "}");
    free(json);

    /* Python's float repr and ensure_ascii string escapes */
    static const struct {
        float v;
        const char *text;
    } FLOATS[] = {{100.0f, "100.0"},
                  {-2.5f, "-2.5"},
                  {0.001f, "0.0010000000474974513"},
                  {3.0517578125e-05f, "3.0517578125e-05"},
                  {1152921504606846976.0f, "1.152921504606847e+18"}};
    static const char *const SCALE[] = {"scale"};
    for (size_t i = 0; i < sizeof FLOATS / sizeof FLOATS[0]; i++) {
        finn_node_set_attr_f(m->nodes[0], "scale", FLOATS[i].v, &err);
        json = extract(reg, m, SCALE, 1);
        char want[128];
        snprintf(want, sizeof want, "\"MVAU_0\": {\n    \"scale\": %s\n  }", FLOATS[i].text);
        CHECK_CONTAINS(json, want);
        free(json);
    }
    finn_node_set_attr_s(m->nodes[2], "preferred_impl_style", "a\"\\\xc3\xa9\n", &err);
    json = extract(reg, m, IMPL, 1);
    CHECK_CONTAINS(json, "\"preferred_impl_style\": \"a\\\"\\\\\\u00e9\\n\"");
    free(json);
    finn_model_free(m);
}

static char said[2048];
static void collect(void *ud, const char *line)
{
    (void)ud;
    strncat(said, line, sizeof said - strlen(said) - 2);
    strcat(said, "\n");
}

static void test_apply(const finn_registry *reg)
{
    finn_model *m = toy_model();
    finn_hw_config_report rep;
    const char *text =
        "{\"Defaults\": {\"ram_style\": [\"block\", [\"MVAU\"]],\n"
        "              \"preferred_impl_style\": [\"hls\", \"all\"]},\n"
        " \"MVAU_0\": {\"PE\": 8, \"ram_style\": \"ultra\"},\n"
        " \"MVAU_7\": {\"PE\": 1}, \"Relu_0\": {}}";
    CHECK_EQ_INT(finn_hw_apply_config_text(reg, m, text, "cfg.json", &rep, &err), 0);
    CHECK_EQ_INT(finn_node_attr_i(m->nodes[0], "PE", 0), 8);
    CHECK_STR(finn_node_attr_s(m->nodes[0], "ram_style", NULL), "ultra"); /* node wins */
    CHECK(finn_node_attr(m->nodes[1], "ram_style") == NULL); /* "MVAU" != "MVAU_hls" */
    for (int i = 0; i < 4; i++) /* "all": every custom op, MultiThreshold too */
        CHECK_STR(finn_node_attr_s(m->nodes[i], "preferred_impl_style", NULL), "hls");
    CHECK(finn_node_attr(m->nodes[4], "preferred_impl_style") == NULL);
    CHECK_EQ_INT(rep.n_missing, 3);
    CHECK_EQ_INT(rep.n_unused, 2);
    said[0] = 0;
    finn_hw_config_report_say(&rep, collect, NULL);
    CHECK_STR(said, "No HW configuration for nodes: MVAU_hls_1, Thresholding_0, "
                    "MultiThreshold_0\n"
                    "Unused HW configurations: MVAU_7, Relu_0\n"
                    "'MVAU_7' names no node; nearest: MVAU_0, MVAU_hls_1, Thresholding_0\n"
                    "'Relu_0' is a Relu node, not a configurable custom op\n");
    finn_hw_config_report_free(&rep);

    /* a string target is a substring test: "MVAU" is in "MVAU_hls" */
    CHECK_EQ_INT(finn_hw_apply_config_text(
                     reg, m, "{\"Defaults\": {\"ram_style\": [\"distributed\", \"MVAU_hls\"]}}",
                     "t", NULL, &err),
                 0);
    CHECK_STR(finn_node_attr_s(m->nodes[0], "ram_style", NULL), "distributed");
    CHECK_STR(finn_node_attr_s(m->nodes[1], "ram_style", NULL), "distributed");

    /* a default named like a top-level key is dropped (and the key unused) */
    CHECK_EQ_INT(finn_hw_apply_config_text(reg, m, "{\"Defaults\": {\"PE\": [3, \"all\"]}, "
                                                   "\"PE\": {}}",
                                           "t", &rep, &err),
                 0);
    CHECK_EQ_INT(finn_node_attr_i(m->nodes[0], "PE", 0), 8);
    CHECK_EQ_INT(rep.n_unused, 1);
    CHECK_STR(rep.unused[0], "PE");
    CHECK_EQ_INT(rep.n_missing, 5);
    finn_hw_config_report_free(&rep);

    /* list attributes */
    CHECK_EQ_INT(finn_hw_apply_config_text(reg, m, "{\"Defaults\": {}, \"Thresholding_0\": "
                                                   "{\"inFIFODepths\": [8, 16]}}",
                                           "t", NULL, &err),
                 0);
    const int64_t *d;
    CHECK_EQ_INT(finn_node_attr_ints(m->nodes[2], "inFIFODepths", &d), 2);
    CHECK(d && d[0] == 8 && d[1] == 16);
    finn_model_free(m);
}

static void test_apply_errors(const finn_registry *reg)
{
    static const struct {
        const char *text, *msg;
        int code;
    } CASES[] = {
        {"{\"Defaults\": {}, \"MVAU_0\": {\"foo\": 1}}",
         "config file t: node 'MVAU_0' (MVAU): foo: Op has no such attribute", FINN_ERR_INVALID},
        {"{\"Defaults\": {}, \"MVAU_0\": {\"ram_style\": \"huge\"}}",
         "config file t: node 'MVAU_0' (MVAU): ram_style: value 'huge' not in {'auto', 'block', "
         "'distributed', 'ultra'}",
         FINN_ERR_INVALID},
        {"{\"Defaults\": {\"preferred_impl_style\": [\"vhdl\", \"all\"]}}",
         "config file t: node 'MVAU_0' (MVAU): preferred_impl_style: value 'vhdl' not in {'', "
         "'hls', 'rtl'}",
         FINN_ERR_INVALID},
        {"{\"Defaults\": {}, \"MVAU_0\": {\"PE\": \"4\"}}",
         "config file t: node 'MVAU_0' (MVAU): PE: an integer attribute needs an integer value",
         FINN_ERR_INVALID},
        {"{\"MVAU_0\": {\"PE\": 4}}",
         "config file t: needs a \"Defaults\" object (may be empty: \"Defaults\": {})",
         FINN_ERR_INVALID},
        {"{\"Defaults\": {\"PE\": 4}}",
         "config file t: \"Defaults\" entry 'PE' must be [value, \"all\" or a list of op types]",
         FINN_ERR_INVALID},
        {"{\"Defaults\": {},\n \"MVAU_0\": {\"PE\": 4,}}", "t:2:21: invalid JSON: expected a "
                                                          "string key",
         FINN_ERR_PARSE},
        {"[1, 2]", "config file t: top level must be an object", FINN_ERR_INVALID},
    };
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        finn_model *m = toy_model();
        CHECK_EQ_INT(finn_hw_apply_config_text(reg, m, CASES[i].text, "t", NULL, &err), -1);
        CHECK_STR(err.msg, CASES[i].msg);
        CHECK_EQ_INT(err.code, CASES[i].code);
        finn_model_free(m);
    }
    /* from a file; a missing file is an I/O error */
    finn_model *m = toy_model();
    char path[1024];
    snprintf(path, sizeof path, "%s/c.json", test_tmpdir());
    FILE *f = fopen(path, "w");
    fputs("{\"Defaults\": {}, \"MVAU_0\": {\"SIMD\": 2}}", f);
    fclose(f);
    CHECK_EQ_INT(finn_hw_apply_config(reg, m, path, NULL, &err), 0);
    CHECK_EQ_INT(finn_node_attr_i(m->nodes[0], "SIMD", 0), 2);
    snprintf(path, sizeof path, "%s/absent.json", test_tmpdir());
    CHECK_EQ_INT(finn_hw_apply_config(reg, m, path, NULL, &err), -1);
    finn_model_free(m);
}

int main(void)
{
    finn_registry *reg = finn_registry_new(&err);
    CHECK_EQ_INT(finn_registry_add_op(reg, &MV, &err), 0);
    CHECK_EQ_INT(finn_registry_add_op(reg, &MVH, &err), 0);
    CHECK_EQ_INT(finn_registry_add_op(reg, &TH, &err), 0);
    CHECK_EQ_INT(finn_registry_add_op(reg, &MT, &err), 0);
    test_catalogue(reg);
    test_extract(reg);
    test_apply(reg);
    test_apply_errors(reg);
    finn_registry_free(reg);
    return test_done();
}
