/* test_finn_gen.c - finn-gen end to end.
 *
 * TFC w1a1/w1a2/w2a2 are compared node by node against the real Brevitas
 * exports of the corpus (skipped when the corpus is absent): node names, op
 * types, domains, inputs/outputs, attributes, initializer names and shapes,
 * value_info, graph io and header fields.  Values compared: with
 * --untrained every initializer except the weights (param0 of the weight
 * quantizers) must be equal, BatchNorm and TensorNorm included; with seeded
 * trained-looking statistics only the quantizer parameters (scale, zero
 * point, bit width) must be equal, since the BatchNorm statistics differ.
 * Always checked: CNV's structure, the quantizer numbering of the variants,
 * every weight level present, determinism, sample inputs, onnx.checker
 * (when /usr/bin/python3 has onnx) and bad command lines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <finn/model.h>
#include <finn/npy.h>

#include <finn/plugin.h>

#include "test.h"

static char finn_gen[1024];
static const char *tmp;

static char *run_gen(const char *args, int *status)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "cd %s && %s %s", tmp, finn_gen, args);
    return test_run(cmd, status);
}

/* Run finn-gen, expecting success; returns the loaded model of tmp/out. */
static finn_model *gen_model(const char *args, const char *out)
{
    char full[2048], path[2048];
    int status = -1;
    snprintf(full, sizeof full, "%s -o %s", args, out);
    char *log = run_gen(full, &status);
    CHECK_EQ_INT(status, 0);
    if (status)
        fprintf(stderr, "finn-gen %s: %s\n", full, log ? log : "");
    free(log);
    snprintf(path, sizeof path, "%s/%s", tmp, out);
    finn_error err = {0};
    finn_model *m = NULL;
    if (finn_model_load(path, &m, &err)) {
        fprintf(stderr, "load %s: %s\n", path, err.msg);
        CHECK(0);
        return NULL;
    }
    return m;
}

static bool file_exists(const char *rel)
{
    char path[2048];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", tmp, rel);
    return stat(path, &st) == 0;
}

static size_t count_op(const finn_model *m, const char *op)
{
    size_t n = 0;
    for (size_t i = 0; i < m->n_nodes; i++)
        n += !strcmp(m->nodes[i]->op_type, op);
    return n;
}

static size_t count_inits(const finn_model *m)
{
    size_t n = 0;
    for (size_t i = 0; i < m->n_values; i++)
        n += m->values[i]->init != NULL;
    return n;
}

static bool is_weight_quant(const finn_model *m, const finn_node *n)
{
    return (!strcmp(n->op_type, "Quant") || !strcmp(n->op_type, "BipolarQuant")) &&
           finn_model_initializer(m, n->inputs[0]) != NULL;
}

/* ---- node-by-node comparison with a reference export ----------------------- */

static void compare_attr(const char *node, const finn_attr *a, const finn_attr *b)
{
    CHECK_STR(a->name, b->name);
    CHECK_EQ_INT(a->type, b->type);
    if (a->type != b->type)
        return;
    switch (a->type) {
    case FINN_ATTR_INT:
        CHECK_EQ_INT(a->i, b->i);
        break;
    case FINN_ATTR_FLOAT:
        CHECK_EQ_DBL(a->f, b->f);
        break;
    case FINN_ATTR_STRING:
        CHECK_STR(a->s, b->s);
        break;
    case FINN_ATTR_INTS:
        CHECK_EQ_INT(a->n, b->n);
        for (size_t k = 0; k < a->n && k < b->n; k++)
            CHECK_EQ_INT(a->ints[k], b->ints[k]);
        break;
    default:
        fprintf(stderr, "%s: attribute %s of unexpected type %d\n", node, a->name, a->type);
        CHECK(0);
    }
}

static void compare_node(const finn_node *r, const finn_node *g)
{
    CHECK_STR(g->name, r->name);
    CHECK_STR(g->op_type, r->op_type);
    CHECK_STR(g->domain, r->domain);
    CHECK_EQ_INT(g->n_inputs, r->n_inputs);
    CHECK_EQ_INT(g->n_outputs, r->n_outputs);
    for (size_t k = 0; k < r->n_inputs && k < g->n_inputs; k++)
        CHECK_STR(g->inputs[k], r->inputs[k]);
    for (size_t k = 0; k < r->n_outputs && k < g->n_outputs; k++)
        CHECK_STR(g->outputs[k], r->outputs[k]);
    CHECK_EQ_INT(g->n_attrs, r->n_attrs);
    for (size_t k = 0; k < r->n_attrs && k < g->n_attrs; k++)
        compare_attr(r->name, &r->attrs[k], &g->attrs[k]);
}

static bool same_tensor(const finn_tensor *a, const finn_tensor *b)
{
    return a->type == b->type && finn_shape_equal(a->ndim, a->shape, b->ndim, b->shape) &&
           memcmp(a->data, b->data, finn_tensor_nbytes(a)) == 0;
}

/* Initializers: same names and shapes; values equal except the weights
 * (and, unless `all_values`, except every non-quantizer parameter). */
static void compare_inits(const finn_model *ref, const finn_model *gen, bool all_values)
{
    CHECK_EQ_INT(count_inits(gen), count_inits(ref));
    for (size_t i = 0; i < ref->n_nodes; i++) {
        const finn_node *n = ref->nodes[i];
        bool quant = !strcmp(n->op_type, "Quant") || !strcmp(n->op_type, "BipolarQuant");
        for (size_t k = 0; k < n->n_inputs; k++) {
            const finn_tensor *r = finn_model_initializer(ref, n->inputs[k]);
            const finn_tensor *g = finn_model_initializer(gen, n->inputs[k]);
            if (!r)
                continue;
            CHECK(g != NULL);
            if (!g)
                continue;
            CHECK_EQ_INT(g->type, r->type);
            CHECK(finn_shape_equal(g->ndim, g->shape, r->ndim, r->shape));
            bool weights = quant && k == 0;
            if (weights || (!quant && !all_values))
                continue;
            if (!same_tensor(r, g)) {
                fprintf(stderr, "initializer %s differs\n", n->inputs[k]);
                CHECK(0);
            }
        }
    }
}

static void compare_value_info(const finn_model *ref, const finn_model *gen)
{
    for (size_t i = 0; i < ref->n_values; i++) {
        const finn_value *r = ref->values[i];
        const finn_value *g = finn_model_value(gen, r->name);
        CHECK(g != NULL);
        if (!g)
            continue;
        CHECK_EQ_INT(g->in_value_info, r->in_value_info);
        CHECK_EQ_INT(g->elem, r->elem);
        CHECK(finn_shape_equal(g->ndim, g->shape, r->ndim, r->shape));
    }
}

static void compare_header(const finn_model *ref, const finn_model *gen)
{
    CHECK_EQ_INT(gen->ir_version, ref->ir_version);
    CHECK_STR(gen->graph_name, ref->graph_name);
    CHECK_STR(gen->producer_name, ref->producer_name);
    CHECK_STR(gen->producer_version, ref->producer_version);
    /* the reference's opsets, plus the one intended difference */
    for (size_t i = 0; i < ref->n_opsets; i++)
        CHECK_EQ_INT(finn_model_opset(gen, ref->opsets[i].domain), ref->opsets[i].version);
    CHECK_EQ_INT(gen->n_opsets, ref->n_opsets + 1);
    CHECK_EQ_INT(finn_model_opset(gen, "qonnx.custom_op.general"), 1);
    CHECK_EQ_INT(finn_model_opset(ref, "qonnx.custom_op.general"), -1);
    CHECK_EQ_INT(gen->n_inputs, 1);
    CHECK_EQ_INT(gen->n_outputs, 1);
    if (gen->n_inputs == 1 && gen->n_outputs == 1) {
        CHECK_STR(gen->inputs[0], ref->inputs[0]);
        CHECK_STR(gen->outputs[0], ref->outputs[0]);
    }
}

static void compare_model(const finn_model *ref, const finn_model *gen, bool all_values)
{
    CHECK_EQ_INT(gen->n_nodes, ref->n_nodes);
    for (size_t i = 0; i < ref->n_nodes && i < gen->n_nodes; i++)
        compare_node(ref->nodes[i], gen->nodes[i]);
    compare_header(ref, gen);
    compare_inits(ref, gen, all_values);
    compare_value_info(ref, gen);
}

static void test_tfc_against_corpus(void)
{
    const char *shared = test_shared_dir();
    static const struct {
        const char *tag, *args;
    } cfg[] = {{"1w1a", "--wbits 1 --abits 1"},
               {"1w2a", "--wbits 1 --abits 2"},
               {"2w2a", "--wbits 2 --abits 2"}};
    for (size_t c = 0; c < 3; c++) {
        char path[2048], args[256];
        snprintf(path, sizeof path, "%s/corpus/derived/brevitas_tfc_%s_untrained_s1.onnx",
                 shared ? shared : "/nonexistent", cfg[c].tag);
        struct stat st;
        if (!shared || stat(path, &st) != 0) {
            printf("SKIP part: %s not found\n", path);
            continue;
        }
        finn_error err = {0};
        finn_model *ref = NULL;
        CHECK_EQ_INT(finn_model_load(path, &ref, &err), 0);
        snprintf(args, sizeof args, "tfc %s --untrained", cfg[c].args);
        finn_model *u = gen_model(args, "tfc_untrained.onnx");
        snprintf(args, sizeof args, "tfc %s --seed 7", cfg[c].args);
        finn_model *t = gen_model(args, "tfc_trained.onnx");
        if (ref && u && t) {
            compare_model(ref, u, true);
            compare_model(ref, t, false);
        }
        finn_model_free(ref);
        finn_model_free(u);
        finn_model_free(t);
    }
}

/* ---- structure without the corpus --------------------------------------------- */

static void check_quant(const finn_model *m, const char *node, double scale, double bits,
                        int narrow)
{
    const finn_node *n = finn_model_find_node(m, node);
    CHECK(n != NULL);
    if (!n || n->n_inputs != 4)
        return;
    CHECK_EQ_DBL(finn_tensor_get(finn_model_initializer(m, n->inputs[1]), 0), scale);
    CHECK_EQ_DBL(finn_tensor_get(finn_model_initializer(m, n->inputs[2]), 0), 0.0);
    CHECK_EQ_DBL(finn_tensor_get(finn_model_initializer(m, n->inputs[3]), 0), bits);
    CHECK_EQ_INT(finn_node_attr_i(n, "narrow", -1), narrow);
    CHECK_EQ_INT(finn_node_attr_i(n, "signed", -1), 1);
    CHECK_STR(finn_node_attr_s(n, "rounding_mode", ""), "ROUND");
}

static void test_cnv_structure(void)
{
    finn_model *m = gen_model("cnv --wbits 2 --abits 2", "cnv22.onnx");
    if (!m)
        return;
    CHECK_EQ_INT(m->n_nodes, 44);
    CHECK_EQ_INT(count_inits(m), 102);
    CHECK_EQ_INT(count_op(m, "Quant"), 18);
    CHECK_EQ_INT(count_op(m, "Conv"), 6);
    CHECK_EQ_INT(count_op(m, "BatchNormalization"), 8);
    CHECK_EQ_INT(count_op(m, "MaxPool"), 2);
    CHECK_EQ_INT(count_op(m, "MatMul"), 3);
    CHECK_EQ_INT(count_op(m, "Reshape"), 1);
    CHECK_EQ_INT(count_op(m, "Mul"), 2);
    CHECK_EQ_INT(count_op(m, "Sub"), 2);
    CHECK_EQ_INT(count_op(m, "Div"), 1);
    CHECK_EQ_INT(count_op(m, "Add"), 1);
    const finn_value *in = finn_model_value(m, "global_in");
    const finn_value *out = finn_model_value(m, "global_out");
    static const int64_t in_shape[4] = {1, 3, 32, 32}, out_shape[2] = {1, 10};
    CHECK(in && finn_shape_equal(in->ndim, in->shape, 4, in_shape));
    CHECK(out && finn_shape_equal(out->ndim, out->shape, 2, out_shape));
    /* order and names of section 3 */
    static const char *order[] = {"Mul_0", "Quant_0", "Quant_1", "Quant_2", "Quant_3", "Quant_4",
                                  "Quant_5", "Quant_6", "Quant_7", "Quant_8", "Sub_0", "Quant_9",
                                  "Conv_0", "BatchNormalization_0", "Quant_10", "Conv_1",
                                  "BatchNormalization_1", "Quant_11", "MaxPool_0"};
    for (size_t i = 0; i < sizeof order / sizeof *order && i < m->n_nodes; i++)
        CHECK_STR(m->nodes[i]->name, order[i]);
    CHECK_STR(m->nodes[32]->name, "Reshape_0");
    CHECK_STR(m->nodes[39]->name, "MatMul_2");
    CHECK_STR(m->nodes[43]->name, "Add_0");
    CHECK_STR(m->nodes[43]->outputs[0], "global_out");
    check_quant(m, "Quant_0", 1.0, 2.0, 1);
    check_quant(m, "Quant_9", 0.0078125, 8.0, 0);
    check_quant(m, "Quant_17", 1.0, 2.0, 1);
    const finn_node *bn = finn_model_find_node(m, "BatchNormalization_6");
    CHECK(bn && finn_node_attr_f(bn, "epsilon", 0) == 1e-4f);
    const finn_value *fc0 = finn_model_value(m, "Quant_6_param0");
    static const int64_t fc0_shape[2] = {256, 512};
    CHECK(fc0 && finn_shape_equal(fc0->ndim, fc0->shape, 2, fc0_shape));
    const finn_value *c5 = finn_model_value(m, "Quant_15_out0");
    static const int64_t c5_shape[4] = {1, 256, 1, 1};
    CHECK(c5 && finn_shape_equal(c5->ndim, c5->shape, 4, c5_shape));
    /* weight count of docs section 1.3 */
    size_t params = 0;
    for (size_t i = 0; i < m->n_nodes; i++)
        if (is_weight_quant(m, m->nodes[i]))
            params += finn_tensor_numel(finn_model_initializer(m, m->nodes[i]->inputs[0]));
    CHECK_EQ_INT(params, 1542848);
    /* running_var > 0 everywhere, Div constant = sqrt(var + 1e-4) > 1 */
    for (int b = 0; b < 8; b++) {
        char name[64];
        snprintf(name, sizeof name, "BatchNormalization_%d_param3", b);
        const finn_tensor *v = finn_model_initializer(m, name);
        CHECK(v != NULL);
        for (size_t k = 0; v && k < finn_tensor_numel(v); k++)
            if (!(finn_tensor_get(v, k) > 0.0)) {
                CHECK(0);
                break;
            }
    }
    finn_model_free(m);

    /* w1a1: weights BipolarQuant_0..8, 8-bit input Quant_0, acts 9..16 */
    m = gen_model("cnv --wbits 1 --abits 1", "cnv11.onnx");
    if (!m)
        return;
    CHECK_EQ_INT(count_op(m, "BipolarQuant"), 17);
    CHECK_EQ_INT(count_op(m, "Quant"), 1);
    CHECK_EQ_INT(count_inits(m), 68);
    CHECK_STR(m->nodes[9]->name, "BipolarQuant_8");
    CHECK_STR(m->nodes[11]->name, "Quant_0");
    CHECK_STR(m->nodes[14]->name, "BipolarQuant_9");
    check_quant(m, "Quant_0", 0.0078125, 8.0, 0);
    finn_model_free(m);

    m = gen_model("cnv --wbits 1 --abits 2 --in-bits 4", "cnv12.onnx");
    if (!m)
        return;
    CHECK_EQ_INT(count_inits(m), 84);
    check_quant(m, "Quant_0", 0.125, 4.0, 0);
    check_quant(m, "Quant_1", 1.0, 2.0, 1);
    finn_model_free(m);
}

static void test_fc_variants(void)
{
    finn_model *m = gen_model("sfc --wbits 2 --abits 2", "sfc.onnx");
    if (m) {
        CHECK_EQ_INT(m->n_nodes, 22);
        const finn_tensor *t = finn_model_initializer(m, "BatchNormalization_2_param0");
        CHECK(t && t->ndim == 1 && t->shape[0] == 256);
        const finn_node *bn = finn_model_find_node(m, "BatchNormalization_0");
        CHECK(bn && finn_node_attr_f(bn, "epsilon", 0) == 1e-5f);
        check_quant(m, "Quant_4", 1.0, 2.0, 1);
    }
    finn_model_free(m);
    m = gen_model("lfc --wbits 1 --abits 2 --in-bits 8", "lfc.onnx");
    if (m) {
        CHECK_EQ_INT(m->n_nodes, 22);
        const finn_tensor *t = finn_model_initializer(m, "BipolarQuant_1_param0");
        CHECK(t && t->ndim == 2 && t->shape[0] == 1024 && t->shape[1] == 1024);
        /* FC input quantizer with I = 8: narrow, scale 1/127 */
        check_quant(m, "Quant_0", (double)(float)(1.0 / 127.0), 8.0, 1);
        check_quant(m, "Quant_1", 1.0, 2.0, 1);
    }
    finn_model_free(m);
    /* w1a1: input BipolarQuant_4 */
    m = gen_model("tfc --wbits 1 --abits 1", "tfc11.onnx");
    if (m) {
        CHECK_STR(m->nodes[7]->name, "BipolarQuant_4");
        CHECK_STR(m->nodes[7]->inputs[0], "Sub_0_out0");
        CHECK_EQ_INT(count_op(m, "Quant"), 0);
    }
    finn_model_free(m);
}

/* ---- weight levels ----------------------------------------------------------------- */

/* Every weight tensor holds exactly the levels k * scale, k = -max..max
 * (or +-1), and each of them. */
static void check_levels(const finn_model *m, int bits)
{
    int max = bits == 1 ? 1 : (1 << (bits - 1)) - 1;
    float scale = bits == 1 ? 1.0f : (float)(1.0 / max);
    size_t nweights = 0;
    for (size_t i = 0; i < m->n_nodes; i++) {
        const finn_node *n = m->nodes[i];
        if (!is_weight_quant(m, n))
            continue;
        nweights++;
        const finn_tensor *w = finn_model_initializer(m, n->inputs[0]);
        int seen[256] = {0};
        size_t bad = 0;
        for (size_t k = 0; k < finn_tensor_numel(w); k++) {
            float v = ((const float *)w->data)[k];
            double q = (double)v / (double)scale;
            long lv = lround(q);
            if ((float)((float)lv * scale) != v || lv < -max || lv > max ||
                (bits == 1 && lv == 0))
                bad++;
            else
                seen[lv + max] = 1;
        }
        CHECK_EQ_INT(bad, 0);
        int missing = 0;
        for (int k = -max; k <= max; k++)
            if (!(bits == 1 && k == 0) && !seen[k + max])
                missing++;
        if (missing)
            fprintf(stderr, "%s: %d levels missing\n", n->name, missing);
        CHECK_EQ_INT(missing, 0);
    }
    CHECK(nweights > 0);
}

static void test_levels(void)
{
    static const struct {
        const char *args;
        int bits;
    } cfg[] = {{"tfc --wbits 1 --abits 1", 1},
               {"tfc --wbits 2 --abits 2", 2},
               {"tfc --wbits 4 --abits 3", 4},
               {"tfc --wbits 8 --abits 8", 8}, /* 255 levels in the 640-value last layer */
               {"cnv --wbits 3 --abits 2", 3}};
    for (size_t c = 0; c < sizeof cfg / sizeof *cfg; c++) {
        finn_model *m = gen_model(cfg[c].args, "levels.onnx");
        if (m)
            check_levels(m, cfg[c].bits);
        finn_model_free(m);
    }
    /* activation quantizer of A = 3: scale 1/3 */
    finn_model *m = gen_model("tfc --wbits 4 --abits 3", "a3.onnx");
    if (m) {
        check_quant(m, "Quant_0", (double)(float)(1.0 / 7.0), 4.0, 1);
        check_quant(m, "Quant_5", (double)(float)(1.0 / 3.0), 3.0, 1);
    }
    finn_model_free(m);
}

/* ---- determinism ------------------------------------------------------------------- */

static char *read_tmp(const char *rel, size_t *len)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/%s", tmp, rel);
    return test_read_file(path, len);
}

static void test_determinism(void)
{
    finn_model *a = gen_model("cnv --wbits 2 --abits 2 --seed 5", "d1.onnx");
    finn_model *b = gen_model("cnv --wbits 2 --abits 2 --seed 5", "d2.onnx");
    finn_model *c = gen_model("cnv --wbits 2 --abits 2 --seed 6", "d3.onnx");
    size_t la = 0, lb = 0, lc = 0;
    char *fa = read_tmp("d1.onnx", &la), *fb = read_tmp("d2.onnx", &lb),
         *fc = read_tmp("d3.onnx", &lc);
    CHECK(fa && fb && fc);
    CHECK(la > 6000000);
    CHECK(la == lb && fa && fb && memcmp(fa, fb, la) == 0);
    CHECK(!(la == lc && fa && fc && memcmp(fa, fc, la) == 0));
    if (a && c) {
        /* different seeds: different weights and BatchNorm statistics */
        const finn_tensor *wa = finn_model_initializer(a, "Quant_3_param0");
        const finn_tensor *wc = finn_model_initializer(c, "Quant_3_param0");
        CHECK(wa && wc && !same_tensor(wa, wc));
        const finn_tensor *ba = finn_model_initializer(a, "BatchNormalization_2_param3");
        const finn_tensor *bc = finn_model_initializer(c, "BatchNormalization_2_param3");
        CHECK(ba && bc && !same_tensor(ba, bc));
    }
    free(fa);
    free(fb);
    free(fc);
    finn_model_free(a);
    finn_model_free(b);
    finn_model_free(c);
}

/* ---- onnx.checker -------------------------------------------------------------------- */

static void test_onnx_checker(void)
{
    int status = -1;
    free(test_run("/usr/bin/python3 -c 'import onnx' 2>/dev/null", &status));
    if (status != 0) {
        printf("SKIP part: /usr/bin/python3 has no onnx module\n");
        return;
    }
    static const char *files[] = {"cnv22.onnx", "cnv11.onnx", "tfc11.onnx", "sfc.onnx",
                                  "a3.onnx"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char cmd[2048];
        snprintf(cmd, sizeof cmd,
                 "/usr/bin/python3 -c 'import onnx,sys; "
                 "onnx.checker.check_model(onnx.load(sys.argv[1])); print(\"ok\")' %s/%s",
                 tmp, files[i]);
        char *out = test_run(cmd, &status);
        CHECK_EQ_INT(status, 0);
        CHECK_CONTAINS(out, "ok");
        if (status)
            fprintf(stderr, "%s: %s\n", files[i], out ? out : "");
        free(out);
    }
}

/* ---- sample inputs ------------------------------------------------------------------ */

static finn_tensor *gen_input(const char *args, const char *out)
{
    char full[1024], path[2048];
    int status = -1;
    snprintf(full, sizeof full, "%s -o %s", args, out);
    free(run_gen(full, &status));
    CHECK_EQ_INT(status, 0);
    snprintf(path, sizeof path, "%s/%s", tmp, out);
    finn_error err = {0};
    finn_tensor *t = NULL;
    CHECK_EQ_INT(finn_npy_read(path, &t, &err), 0);
    return t;
}

/* float32 values k/255 in [0, 1]; returns the number of zeros */
static size_t check_pixels(const finn_tensor *t)
{
    size_t zeros = 0, bad = 0;
    for (size_t i = 0; i < finn_tensor_numel(t); i++) {
        double v = finn_tensor_get(t, i);
        long k = lround(v * 255.0);
        if (v < 0.0 || v > 1.0 || (float)((double)k / 255.0) != (float)v)
            bad++;
        zeros += v == 0.0;
    }
    CHECK_EQ_INT(bad, 0);
    return zeros;
}

static void test_inputs(void)
{
    finn_tensor *c = gen_input("--input-for cnv", "cin.npy");
    finn_tensor *c2 = gen_input("--input-for cnv --seed 1", "cin2.npy");
    finn_tensor *c3 = gen_input("--input-for cnv --seed 2", "cin3.npy");
    static const int64_t cs[4] = {1, 3, 32, 32}, ms[4] = {1, 1, 28, 28};
    if (c && c2 && c3) {
        CHECK_EQ_INT(c->type, FINN_ELEM_FLOAT);
        CHECK(finn_shape_equal(c->ndim, c->shape, 4, cs));
        check_pixels(c);
        CHECK(same_tensor(c, c2));   /* default seed is 1 */
        CHECK(!same_tensor(c, c3));
    }
    finn_tensor *t = gen_input("--input-for tfc --seed 3", "tin.npy");
    if (t) {
        CHECK(finn_shape_equal(t->ndim, t->shape, 4, ms));
        size_t zeros = check_pixels(t);
        /* a digit on black: mostly background, some full-intensity stroke */
        CHECK(zeros > 784 / 2 && zeros < 784 - 40);
        double mx = 0;
        for (size_t i = 0; i < 784; i++)
            mx = fmax(mx, finn_tensor_get(t, i));
        CHECK_EQ_DBL(mx, 1.0);
    }
    finn_tensor_free(c);
    finn_tensor_free(c2);
    finn_tensor_free(c3);
    finn_tensor_free(t);
}

static void expect_error(const char *args, int code, const char *msg, const char *out);

/* --image and --model/--expected: a real image in, the executor's output
 * out (the same as running the model with the library). */
static void test_input_with_expected(void)
{
    finn_model *m = gen_model("tfc --wbits 2 --abits 2", "exp_tfc.onnx");
    int64_t top1 = 0;
    finn_tensor *x = gen_input("--input-for tfc --seed 4 --model exp_tfc.onnx --expected e.npy",
                               "x.npy");
    char path[2048];
    snprintf(path, sizeof path, "%s/e.npy", tmp);
    finn_error err = {0};
    finn_tensor *e = NULL;
    CHECK_EQ_INT(finn_npy_read(path, &e, &err), 0);
    finn_registry *reg = finn_registry_new(&err);
    CHECK_EQ_INT(finn_plugin_load_default(reg, &err), 0);
    finn_exec_ctx *ctx = finn_exec_ctx_new(&err);
    if (m && x && e) {
        finn_exec_ctx_set(ctx, m->inputs[0], finn_tensor_copy(x, &err), &err);
        CHECK_EQ_INT(finn_execute(reg, m, ctx, &err), 0);
        CHECK(same_tensor(finn_exec_ctx_get(ctx, m->outputs[0]), e));
        CHECK_EQ_INT(e->shape[1], 10);
        for (size_t i = 1; i < 10; i++)
            if (finn_tensor_get(e, i) > finn_tensor_get(e, (size_t)top1))
                top1 = (int64_t)i;
    }
    finn_exec_ctx_free(ctx);
    finn_registry_free(reg);
    finn_tensor_free(e);
    finn_tensor_free(x);
    finn_model_free(m);
    /* --raw and --top1: pixel values 0..255 and the class index */
    finn_tensor *r = gen_input("--input-for tfc --seed 4 --raw --model exp_tfc.onnx --expected "
                               "k.npy --top1",
                               "xr.npy");
    snprintf(path, sizeof path, "%s/k.npy", tmp);
    finn_tensor *k = NULL;
    CHECK_EQ_INT(finn_npy_read(path, &k, &err), 0);
    x = gen_input("--input-for tfc --seed 4", "x2.npy");
    if (r && x && k) {
        size_t bad = 0;
        for (size_t i = 0; i < finn_tensor_numel(x); i++)
            bad += (float)(finn_tensor_get(r, i) / 255.0) != (float)finn_tensor_get(x, i);
        CHECK_EQ_INT(bad, 0);
        CHECK_EQ_INT(k->type, FINN_ELEM_INT64);
        CHECK(k->ndim == 2 && k->shape[0] == 1 && k->shape[1] == 1);
        CHECK_EQ_INT(((int64_t *)k->data)[0], top1);
    }
    finn_tensor_free(r);
    finn_tensor_free(k);
    finn_tensor_free(x);
    expect_error("--input-for tfc --top1 -o y.npy", 2,
                 "finn-gen: error: --top1 goes with --model and --expected\n", "y.npy");
    expect_error("--input-for tfc --model exp_tfc.onnx -o y.npy", 2,
                 "finn-gen: error: --model and --expected go together\n", "y.npy");
    expect_error("tfc --wbits 1 --abits 1 --image a.npy -o z.onnx", 2,
                 "finn-gen: error: --image, --model, --expected, --top1 and --raw go with "
                 "--input-for\n",
                 "z.onnx");
    /* the corpus CIFAR-10 sample: uint8 pixels become k/255 */
    const char *shared = test_shared_dir();
    if (!shared)
        return;
    char args[4096];
    snprintf(args, sizeof args, "--input-for cnv --image %s/corpus/finn/cifar10/cifar10-test-data-class3.npz",
             shared);
    finn_tensor *c = gen_input(args, "cifar.npy");
    finn_npz *z = NULL;
    snprintf(path, sizeof path, "%s/corpus/finn/cifar10/cifar10-test-data-class3.npz", shared);
    CHECK_EQ_INT(finn_npz_read(path, &z, &err), 0);
    if (c && z) {
        static const int64_t cs[4] = {1, 3, 32, 32};
        CHECK(finn_shape_equal(c->ndim, c->shape, 4, cs));
        size_t bad = 0;
        for (size_t i = 0; i < finn_tensor_numel(c); i++)
            bad += (float)(finn_tensor_get(z->arrays[0], i) / 255.0) != (float)finn_tensor_get(c, i);
        CHECK_EQ_INT(bad, 0);
    }
    finn_npz_free(z);
    finn_tensor_free(c);
    expect_error("--input-for tfc --image cifar.npy -o w.npy", 1, "does not fit tfc's input",
                 "w.npy");
}

/* ---- command-line errors -------------------------------------------------------------- */

static void expect_error(const char *args, int code, const char *msg, const char *out)
{
    int status = -1;
    char *log = run_gen(args, &status);
    CHECK_EQ_INT(status, code);
    CHECK_CONTAINS(log, msg);
    if (out)
        CHECK(!file_exists(out));
    free(log);
}

static void test_cli_errors(void)
{
    expect_error("foo --wbits 1 --abits 1 -o bad1.onnx", 2,
                 "finn-gen: error: unknown network 'foo' (expected cnv, tfc, sfc or lfc)\n",
                 "bad1.onnx");
    expect_error("tfc --wbits 0 --abits 1 -o bad2.onnx", 2,
                 "finn-gen: error: --wbits must be an integer from 1 to 8, got '0'\n",
                 "bad2.onnx");
    expect_error("tfc --wbits 1 --abits 9 -o bad3.onnx", 2,
                 "finn-gen: error: --abits must be an integer from 1 to 8, got '9'\n",
                 "bad3.onnx");
    expect_error("tfc --wbits 1 --abits 1", 2, "finn-gen: error: missing -o OUTPUT\n", NULL);
    expect_error("tfc --abits 1 -o bad4.onnx", 2,
                 "finn-gen: error: tfc needs --wbits and --abits\n", "bad4.onnx");
    expect_error("--wbits 1 --abits 1 -o bad5.onnx", 2,
                 "finn-gen: error: missing network (cnv, tfc, sfc or lfc)\n", "bad5.onnx");
    expect_error("tfc --wbits 1 --abits 1 --bogus -o bad6.onnx", 2,
                 "finn-gen: error: unknown option '--bogus'\n", "bad6.onnx");
    expect_error("tfc --wbits 1 --abits 1 --seed x -o bad7.onnx", 2,
                 "finn-gen: error: --seed must be a non-negative integer, got 'x'\n", "bad7.onnx");
    expect_error("cnv --wbits 1 --abits 1 --in-bits 1 -o bad8.onnx", 2,
                 "finn-gen: error: cnv: --in-bits must be from 2 to 8 (its input quantizer is "
                 "fixed point), got 1\n",
                 "bad8.onnx");
    expect_error("tfc --wbits 1 --abits 1 -o", 2, "finn-gen: error: -o needs a value\n", NULL);
    expect_error("--input-for svhn -o bad9.npy", 2,
                 "finn-gen: error: unknown network 'svhn' (expected cnv, tfc, sfc or lfc)\n",
                 "bad9.npy");
    /* write errors: exit 1, message names the path, nothing written */
    int status = -1;
    char *log = run_gen("tfc --wbits 1 --abits 1 -o no/such/dir/m.onnx", &status);
    CHECK_EQ_INT(status, 1);
    CHECK_CONTAINS(log, "finn-gen: error: ");
    CHECK_CONTAINS(log, "no/such/dir/m.onnx");
    free(log);
    log = run_gen("--input-for tfc -o no/such/dir/in.npy", &status);
    CHECK_EQ_INT(status, 1);
    CHECK_CONTAINS(log, "finn-gen: error: ");
    free(log);
    CHECK(!file_exists("no"));
    log = run_gen("--help", &status);
    CHECK_EQ_INT(status, 0);
    CHECK_CONTAINS(log, "usage: finn-gen {cnv,tfc,sfc,lfc} --wbits W --abits A");
    free(log);
}

int main(void)
{
    snprintf(finn_gen, sizeof finn_gen, "%s/finn-gen", test_env("FINN_BIN_DIR", "bin"));
    tmp = test_tmpdir();
    test_tfc_against_corpus();
    test_cnv_structure();
    test_fc_variants();
    test_levels();
    test_determinism();
    test_onnx_checker();
    test_inputs();
    test_input_with_expected();
    test_cli_errors();
    return test_done();
}
