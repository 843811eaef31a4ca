/* test_finn_exec.c - the reference executor end to end: finn-exec on a model
 * built here (exact values, --all-outputs, --batch, errors), and every
 * corpus model: io pairs reproduced, seeded random inputs executed. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <finn/plugin.h>

#include "test.h"

static char finn_exec[1024];
static const char *tmp;
static finn_error err;

static char *path_in(const char *rel)
{
    static char p[4][2048];
    static int k;
    k = (k + 1) % 4;
    snprintf(p[k], sizeof p[k], "%s/%s", tmp, rel);
    return p[k];
}

/* x(1,4) -> Relu -> r -> Mul(w = [1, 2, 3, -1]) -> y(1,4) */
static void write_small_model(void)
{
    finn_model *m = finn_model_new("small", &err);
    int64_t s[2] = {1, 4};
    m->inputs = calloc(1, sizeof(char *));
    m->inputs[0] = strdup("x");
    m->n_inputs = 1;
    m->outputs = calloc(1, sizeof(char *));
    m->outputs[0] = strdup("y");
    m->n_outputs = 1;
    finn_model_set_shape(m, "x", FINN_ELEM_FLOAT, 2, s, &err);
    finn_model_set_shape(m, "y", FINN_ELEM_FLOAT, 2, s, &err);
    finn_tensor *w = finn_tensor_new(FINN_ELEM_FLOAT, 2, s, &err);
    float wv[4] = {1, 2, 3, -1};
    memcpy(w->data, wv, sizeof wv);
    finn_model_set_initializer(m, "w", w, &err);
    finn_node *r = finn_node_new("Relu", "", "Relu_0", &err);
    finn_node_add_input(r, "x", &err);
    finn_node_add_output(r, "r", &err);
    finn_node *mul = finn_node_new("Mul", "", "Mul_0", &err);
    finn_node_add_input(mul, "r", &err);
    finn_node_add_input(mul, "w", &err);
    finn_node_add_output(mul, "y", &err);
    finn_model_insert_node(m, 0, r, &err);
    finn_model_insert_node(m, 1, mul, &err);
    finn_model_set_opset(m, "", 13, &err);
    CHECK_EQ_INT(finn_model_save(m, path_in("small.onnx"), &err), 0);
    finn_model_free(m);
}

static void write_npy(const char *rel, int ndim, const int64_t *shape, const float *v)
{
    finn_tensor *t = finn_tensor_new(FINN_ELEM_FLOAT, ndim, shape, &err);
    memcpy(t->data, v, finn_tensor_nbytes(t));
    CHECK_EQ_INT(finn_npy_write(path_in(rel), t, &err), 0);
    finn_tensor_free(t);
}

static finn_tensor *read_npy(const char *path)
{
    finn_tensor *t = NULL;
    if (finn_npy_read(path, &t, &err) != 0)
        fprintf(stderr, "%s\n", err.msg);
    return t;
}

static char *run(const char *args, int *st)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "cd %s && %s %s 2>&1", tmp, finn_exec, args);
    return test_run(cmd, st);
}

static void test_small(void)
{
    write_small_model();
    int64_t s1[2] = {1, 4}, s3[3] = {3, 1, 4};
    float x[4] = {-1, 0.5f, 2, 3};
    write_npy("x.npy", 2, s1, x);
    int st;
    char *out = run("small.onnx --input x.npy --output y.npy --all-outputs ctx", &st);
    CHECK_EQ_INT(st, 0);
    free(out);
    finn_tensor *y = read_npy(path_in("y.npy"));
    /* relu(-1, .5, 2, 3) * (1, 2, 3, -1) = (0, 1, 6, -3) */
    CHECK(y && y->ndim == 2 && y->shape[1] == 4);
    if (y) {
        CHECK_EQ_DBL(finn_tensor_get(y, 0), 0);
        CHECK_EQ_DBL(finn_tensor_get(y, 1), 1);
        CHECK_EQ_DBL(finn_tensor_get(y, 2), 6);
        CHECK_EQ_DBL(finn_tensor_get(y, 3), -3);
    }
    finn_tensor_free(y);
    finn_tensor *r = read_npy(path_in("ctx/r.npy"));
    CHECK(r && finn_tensor_get(r, 0) == 0 && finn_tensor_get(r, 3) == 3);
    finn_tensor_free(r);
    finn_tensor *w = read_npy(path_in("ctx/w.npy"));
    CHECK(w && finn_tensor_get(w, 1) == 2);
    finn_tensor_free(w);

    /* a batch of 3 through the batch-1 model */
    float xb[12] = {1, 1, 1, 1, -1, -1, -1, -1, 0, 1, 2, 3};
    write_npy("xb.npy", 3, s3, xb);
    out = run("small.onnx --input x=xb.npy --batch --output yb.npy", &st);
    CHECK_EQ_INT(st, 0);
    free(out);
    finn_tensor *yb = read_npy(path_in("yb.npy"));
    CHECK(yb && yb->ndim == 2 && yb->shape[0] == 3 && yb->shape[1] == 4);
    /* rows: (1,2,3,-1), (0,0,0,0), (0,2,6,-3) */
    float want[12] = {1, 2, 3, -1, 0, 0, 0, 0, 0, 2, 6, -3};
    for (int i = 0; yb && i < 12; i++)
        CHECK_EQ_DBL(finn_tensor_get(yb, (size_t)i), want[i]);
    finn_tensor_free(yb);

    /* errors */
    out = run("small.onnx --input nothere=x.npy", &st);
    CHECK_EQ_INT(st, 1);
    CHECK_STR(out, "finn-exec: error: small.onnx: no graph input 'nothere'\n");
    free(out);
    out = run("small.onnx --input missing.npy", &st);
    CHECK_EQ_INT(st, 1);
    CHECK_CONTAINS(out, "finn-exec: error: ");
    CHECK_CONTAINS(out, "missing.npy");
    free(out);
    out = run("small.onnx", &st);
    CHECK_EQ_INT(st, 2);
    CHECK_CONTAINS(out, "finn-exec: no --input given");
    free(out);
}

/* Run model on input (per sample when the batch is larger than the
 * model's), returning the stacked first output. */
static finn_tensor *exec_batch(finn_registry *reg, const finn_model *m, const finn_tensor *in)
{
    const finn_value *iv = finn_model_value(m, m->inputs[0]);
    int64_t n = in->shape[0];
    size_t per = finn_tensor_numel(in) / (size_t)n;
    finn_tensor *outs = NULL;
    size_t out_per = 0;
    for (int64_t b = 0; b < n; b++) {
        finn_tensor *x = finn_tensor_new(iv->elem, iv->ndim, iv->shape, &err);
        CHECK(x && finn_tensor_numel(x) == per);
        if (!x || finn_tensor_numel(x) != per) {
            finn_tensor_free(x);
            return NULL;
        }
        for (size_t i = 0; i < per; i++)
            finn_tensor_set(x, i, finn_tensor_get(in, (size_t)b * per + i));
        finn_exec_ctx *ctx = finn_exec_ctx_new(&err);
        finn_exec_ctx_set(ctx, m->inputs[0], x, &err);
        if (finn_execute(reg, m, ctx, &err) != 0) {
            fprintf(stderr, "execute: %s\n", err.msg);
            CHECK(0);
            finn_exec_ctx_free(ctx);
            finn_tensor_free(outs);
            return NULL;
        }
        const finn_tensor *y = finn_exec_ctx_get(ctx, m->outputs[0]);
        if (!outs) {
            int64_t shape[FINN_MAX_DIMS];
            memcpy(shape, y->shape, sizeof shape);
            shape[0] = n * (y->ndim ? y->shape[0] : 1);
            outs = finn_tensor_new(FINN_ELEM_DOUBLE, y->ndim ? y->ndim : 1, shape, &err);
            out_per = finn_tensor_numel(y);
        }
        for (size_t i = 0; i < out_per; i++)
            finn_tensor_set(outs, (size_t)b * out_per + i, finn_tensor_get(y, i));
        finn_exec_ctx_free(ctx);
    }
    return outs;
}

/* max |a - b| and whether numpy.isclose(a, b, rtol, atol) holds everywhere */
static double compare(const finn_tensor *got, const finn_tensor *want, double atol, double rtol,
                      int *ok)
{
    double worst = 0;
    *ok = got && want && finn_tensor_numel(got) == finn_tensor_numel(want);
    for (size_t i = 0; *ok && i < finn_tensor_numel(want); i++) {
        double a = finn_tensor_get(got, i), b = finn_tensor_get(want, i);
        double d = fabs(a - b);
        worst = d > worst ? d : worst;
        if (d > atol + rtol * fabs(b))
            *ok = 0;
    }
    return worst;
}

typedef struct io_case {
    const char *model, *input, *expected;
    double atol; /* 0 = exact */
} io_case;

static const io_case IO_CASES[] = {
    {"finn/build_dataflow/model.onnx", "finn/build_dataflow/input.npy",
     "finn/build_dataflow/expected_output.npy", 0},
    {"derived/brevitas_tfc_1w1a_untrained_s1.onnx", "derived/mnist4_input_0to1.npy",
     "derived/brevitas_tfc_1w1a_untrained_s1_mnist4_expected_out.npy", 1e-4},
    {"derived/brevitas_tfc_1w2a_untrained_s1.onnx", "derived/mnist4_input_0to1.npy",
     "derived/brevitas_tfc_1w2a_untrained_s1_mnist4_expected_out.npy", 1e-4},
    {"derived/brevitas_tfc_2w2a_untrained_s1.onnx", "derived/mnist4_input_0to1.npy",
     "derived/brevitas_tfc_2w2a_untrained_s1_mnist4_expected_out.npy", 1e-4},
    {"qonnx_model_zoo/TFC/TFC_1W1A.onnx", "derived/mnist4_input_0to1.npy",
     "derived/zoo_TFC_1W1A_mnist4_expected_out.npy", 1e-4},
    {"qonnx_model_zoo/TFC/TFC_1W2A.onnx", "derived/mnist4_input_0to1.npy",
     "derived/zoo_TFC_1W2A_mnist4_expected_out.npy", 1e-4},
    {"qonnx_model_zoo/TFC/TFC_2W2A.onnx", "derived/mnist4_input_0to1.npy",
     "derived/zoo_TFC_2W2A_mnist4_expected_out.npy", 1e-4},
    /* logits of magnitude ~6e3 from a CNTK export: FINN's own check is 1e-3 */
    {"qonnx/mnist-conv/model.onnx", "derived/mnist-conv_input_0.npy",
     "derived/mnist-conv_output_0.npy", 1e-3},
    {"qonnx/floatquant_exec/qonnx_act_weight_fp8.onnx",
     "qonnx/floatquant_exec/test_data/input.npy", "qonnx/floatquant_exec/test_data/output.npy",
     0},
};

static void test_corpus_io(finn_registry *reg, const char *corpus)
{
    for (size_t c = 0; c < sizeof IO_CASES / sizeof IO_CASES[0]; c++) {
        const io_case *k = &IO_CASES[c];
        char p[3][4096];
        snprintf(p[0], sizeof p[0], "%s/%s", corpus, k->model);
        snprintf(p[1], sizeof p[1], "%s/%s", corpus, k->input);
        snprintf(p[2], sizeof p[2], "%s/%s", corpus, k->expected);
        finn_model *m = NULL;
        CHECK_EQ_INT(finn_model_load(p[0], &m, &err), 0);
        finn_tensor *in = read_npy(p[1]), *want = read_npy(p[2]);
        finn_tensor *got = (m && in) ? exec_batch(reg, m, in) : NULL;
        int ok;
        double worst = compare(got, want, k->atol, k->atol ? 1e-5 : 0, &ok);
        if (!ok)
            fprintf(stderr, "%s: outputs differ (max abs diff %g)\n", k->model, worst);
        CHECK(ok);
        finn_tensor_free(in);
        finn_tensor_free(want);
        finn_tensor_free(got);
        finn_model_free(m);
    }
    /* the same through the tool, as the issue asks: a batch of 4 through
     * the batch-1 build_dataflow model */
    char args[8192];
    int st;
    snprintf(args, sizeof args,
             "%s/finn/build_dataflow/model.onnx --input %s/finn/build_dataflow/input.npy --batch "
             "--output bd_out.npy",
             corpus, corpus);
    char *out = run(args, &st);
    CHECK_EQ_INT(st, 0);
    free(out);
    char want_path[4096];
    snprintf(want_path, sizeof want_path, "%s/finn/build_dataflow/expected_output.npy", corpus);
    finn_tensor *got = read_npy(path_in("bd_out.npy")), *want = read_npy(want_path);
    int ok;
    compare(got, want, 0, 0, &ok);
    CHECK(ok);
    CHECK(got && want && got->type == want->type ? 1 : 0); /* int64 class indices */
    finn_tensor_free(got);
    finn_tensor_free(want);
}

/* Every corpus model runs on a seeded random input (HW-op graphs aside). */
static void test_corpus_random(finn_registry *reg, const char *shared)
{
    char cmd[4096];
    int st;
    snprintf(cmd, sizeof cmd, "find %s/corpus -name '*.onnx' | sort", shared);
    char *list = test_run(cmd, &st);
    uint64_t seed = 12345;
    int count = 0;
    for (char *line = strtok(list, "\n"); line; line = strtok(NULL, "\n")) {
        finn_model *m = NULL;
        if (finn_model_load(line, &m, &err) != 0) {
            CHECK(0);
            continue;
        }
        finn_exec_ctx *ctx = finn_exec_ctx_new(&err);
        for (size_t i = 0; i < m->n_inputs; i++) {
            const finn_value *v = finn_model_value(m, m->inputs[i]);
            if (v->init) /* old exports list initializers as graph inputs too */
                continue;
            finn_tensor *t = finn_tensor_new(v->elem, v->ndim, v->shape, &err);
            finn_datatype dt = finn_model_datatype(m, m->inputs[i]);
            for (size_t k = 0; t && k < finn_tensor_numel(t); k++) {
                seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
                double u = (double)(seed >> 11) / 9007199254740992.0;
                /* integer-annotated inputs get allowed values */
                double val = finn_dt_is_integer(dt)
                                 ? (dt.kind == FINN_DT_BIPOLAR ? (u < 0.5 ? -1 : 1)
                                                               : floor(finn_dt_min(dt) +
                                                                       u * (finn_dt_max(dt) -
                                                                            finn_dt_min(dt) + 1)))
                                 : u * 2 - 1;
                finn_tensor_set(t, k, val);
            }
            finn_exec_ctx_set(ctx, m->inputs[i], t, &err);
        }
        int rc = finn_execute(reg, m, ctx, &err);
        {   /* HW graphs too (cybsec: MVAU_hls runs as its abstract MVAU) */
            if (rc != 0)
                fprintf(stderr, "%s: %s\n", line, err.msg);
            CHECK_EQ_INT(rc, 0);
            for (size_t o = 0; rc == 0 && o < m->n_outputs; o++) {
                const finn_tensor *y = finn_exec_ctx_get(ctx, m->outputs[o]);
                CHECK(y != NULL);
                for (size_t k = 0; y && k < finn_tensor_numel(y); k++)
                    if (!isfinite(finn_tensor_get(y, k))) {
                        fprintf(stderr, "%s: non-finite output\n", line);
                        CHECK(0);
                        break;
                    }
            }
            count++;
        }
        finn_exec_ctx_free(ctx);
        finn_model_free(m);
    }
    CHECK(count >= 13);
    free(list);
}

int main(void)
{
    snprintf(finn_exec, sizeof finn_exec, "%s/finn-exec", test_env("FINN_BIN_DIR", "bin"));
    tmp = test_tmpdir();
    test_small();
    const char *shared = test_shared_dir();
    if (shared) {
        finn_registry *reg = finn_registry_new(&err);
        CHECK_EQ_INT(finn_plugin_load_default(reg, &err), 0);
        char corpus[2048];
        snprintf(corpus, sizeof corpus, "%s/corpus", shared);
        test_corpus_io(reg, corpus);
        test_corpus_random(reg, shared);
        finn_registry_free(reg);
    } else {
        printf("note: no shared corpus: corpus checks skipped\n");
    }
    return test_done();
}
