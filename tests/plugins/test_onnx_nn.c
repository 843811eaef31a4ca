/*
 * test_onnx_nn.c - the onnx_nn plugin: every op on small hand-checked
 * cases (the arithmetic is in the comments), shape inference for each
 * (the inferred value_info must equal the executed tensor's shape), opset
 * variants, error messages, and a random grouped/strided/dilated Conv
 * cross-checked against numpy when /usr/bin/python3 has it.
 */
#include <finn/plugin.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"

static finn_registry *REG;

/* ---- a one-node model under construction ---------------------------------- */
typedef struct tcase {
    finn_model *m;
    finn_exec_ctx *ctx;
    finn_node *n;
    int infer_rc, exec_rc;
    finn_error err;
} tcase;

static void tc_begin(tcase *c, const char *op, int64_t opset)
{
    memset(c, 0, sizeof *c);
    c->m = finn_model_new("g", &c->err);
    finn_model_set_opset(c->m, "", opset, &c->err);
    c->ctx = finn_exec_ctx_new(&c->err);
    c->n = finn_node_new(op, "", "n0", &c->err);
}

static void tc_end(tcase *c)
{
    finn_exec_ctx_free(c->ctx);
    finn_model_free(c->m);
    if (c->n)
        finn_node_free(c->n);
}

static finn_tensor *make_tensor(finn_elem_type t, int ndim, const int64_t *shape,
                                const double *v)
{
    finn_error err;
    finn_tensor *x = finn_tensor_new(t, ndim, shape, &err);
    for (size_t i = 0; v && i < finn_tensor_numel(x); i++)
        finn_tensor_set(x, i, v[i]);
    return x;
}

/* A graph input: shape recorded in the model, data in the context. */
static void tc_input(tcase *c, const char *name, finn_elem_type t, int ndim, const int64_t *shape,
                     const double *v)
{
    finn_model *m = c->m;
    m->inputs = realloc(m->inputs, (m->n_inputs + 1) * sizeof *m->inputs);
    m->inputs[m->n_inputs++] = strdup(name);
    finn_model_set_shape(m, name, t, ndim, shape, &c->err);
    finn_exec_ctx_set(c->ctx, name, make_tensor(t, ndim, shape, v), &c->err);
    finn_node_add_input(c->n, name, &c->err);
}

static void tc_in_f(tcase *c, const char *name, int ndim, const int64_t *shape, const double *v)
{
    tc_input(c, name, FINN_ELEM_FLOAT, ndim, shape, v);
}

/* A constant initializer input. */
static void tc_init(tcase *c, const char *name, finn_elem_type t, int ndim, const int64_t *shape,
                    const double *v)
{
    finn_model_set_initializer(c->m, name, make_tensor(t, ndim, shape, v), &c->err);
    finn_node_add_input(c->n, name, &c->err);
}

static void tc_init_i64(tcase *c, const char *name, size_t n, const int64_t *v)
{
    int64_t shape[1] = {(int64_t)n};
    finn_tensor *t = finn_tensor_new(FINN_ELEM_INT64, 1, shape, &c->err);
    memcpy(t->data, v, n * sizeof *v);
    finn_model_set_initializer(c->m, name, t, &c->err);
    finn_node_add_input(c->n, name, &c->err);
}

static void tc_skip(tcase *c)
{
    finn_node_add_input(c->n, "", &c->err);
}

static void tc_out(tcase *c, const char *name)
{
    finn_node_add_output(c->n, name, &c->err);
}

static void tc_ints(tcase *c, const char *attr, size_t n, const int64_t *v)
{
    finn_node_set_attr_ints(c->n, attr, v, n, &c->err);
}

/* Insert the node, infer shapes, then execute. */
static int tc_run(tcase *c)
{
    const finn_op *op = finn_registry_op(REG, "", c->n->op_type);
    CHECK(op != NULL);
    finn_node *n = c->n;
    c->n = NULL;
    finn_model_insert_node(c->m, 0, n, &c->err);
    if (!op)
        return -1;
    c->infer_rc = op->infer_shapes(c->m, n, &c->err);
    if (c->infer_rc)
        return -1;
    c->exec_rc = finn_execute(REG, c->m, c->ctx, &c->err);
    return c->exec_rc;
}

/* Run and expect success; show the error otherwise. */
#define RUN_OK(c)                                                 \
    do {                                                          \
        int rc_ = tc_run(c);                                      \
        CHECK_EQ_INT(rc_, 0);                                     \
        if (rc_)                                                  \
            fprintf(stderr, "  error: %s\n", (c)->err.msg);       \
    } while (0)

/* Output name: inferred shape == executed shape == want, values == v. */
static void check_out(tcase *c, const char *name, int ndim, const int64_t *shape, const double *v,
                      int line)
{
    const finn_tensor *t = finn_exec_ctx_get(c->ctx, name);
    const finn_value *val = finn_model_value(c->m, name);
    char b1[128], b2[128];
    test_checks++;
    if (!t || !val) {
        test_failures++;
        fprintf(stderr, "line %d: output %s missing\n", line, name);
        return;
    }
    if (!finn_shape_equal(t->ndim, t->shape, ndim, shape) ||
        !finn_shape_equal(val->ndim, val->shape, ndim, shape)) {
        test_failures++;
        fprintf(stderr, "line %d: %s executed %s inferred %s, want %s\n", line, name,
                finn_shape_str(t->ndim, t->shape, b1, sizeof b1),
                finn_shape_str(val->ndim, val->shape, b2, sizeof b2),
                finn_shape_str(ndim, shape, b2, sizeof b2));
        return;
    }
    if (val->elem != t->type) {
        test_failures++;
        fprintf(stderr, "line %d: %s inferred type %d, executed %d\n", line, name, val->elem,
                t->type);
    }
    for (size_t i = 0; v && i < finn_tensor_numel(t); i++)
        if (finn_tensor_get(t, i) != v[i]) {
            test_failures++;
            fprintf(stderr, "line %d: %s[%zu] = %.9g, want %.9g\n", line, name, i,
                    finn_tensor_get(t, i), v[i]);
            return;
        }
}
#define CHECK_OUT(c, name, shape, v) \
    check_out(c, name, (int)(sizeof shape / sizeof shape[0]), shape, v, __LINE__)

static const double IOTA[64] = {0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15,
                                16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
                                32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47,
                                48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63};

/* ---- Conv ------------------------------------------------------------------ */
static const double X3[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9}; /* 3x3 image 1..9 */
static const int64_t S1133[4] = {1, 1, 3, 3}, S1122[4] = {1, 1, 2, 2};

static void test_conv_basic(void)
{
    tcase c;
    /* X = [1 2 3; 4 5 6; 7 8 9], W = [1 2; 3 4], pads 1, strides 2, bias 10.
     * Padded 5x5, out = floor((3+2-2)/2)+1 = 2:
     *  (0,0): [0 0; 0 1] -> 4*1 = 4 + 10 = 14
     *  (0,1): [0 0; 2 3] -> 3*2 + 4*3 = 18 + 10 = 28
     *  (1,0): [0 4; 0 7] -> 2*4 + 4*7 = 36 + 10 = 46
     *  (1,1): [5 6; 8 9] -> 5 + 12 + 24 + 36 = 77 + 10 = 87 */
    static const double w[4] = {1, 2, 3, 4}, b[1] = {10}, want[4] = {14, 28, 46, 87};
    static const int64_t bs[1] = {1}, p1[4] = {1, 1, 1, 1}, s2[2] = {2, 2}, o[4] = {1, 1, 2, 2};
    tc_begin(&c, "Conv", 13);
    tc_in_f(&c, "x", 4, S1133, X3);
    tc_init(&c, "w", FINN_ELEM_FLOAT, 4, S1122, w);
    tc_init(&c, "b", FINN_ELEM_FLOAT, 1, bs, b);
    tc_out(&c, "y");
    tc_ints(&c, "pads", 4, p1);
    tc_ints(&c, "strides", 2, s2);
    RUN_OK(&c);
    CHECK_OUT(&c, "y", o, want);
    tc_end(&c);

    /* no pads, stride 1, no bias, kernel_shape given:
     * (0,0) 1+4+12+20 = 37, (0,1) 2+6+15+24 = 47, (1,0) 4+10+21+32 = 67, (1,1) 77 */
    static const double want2[4] = {37, 47, 67, 77};
    static const int64_t k2[2] = {2, 2};
    tc_begin(&c, "Conv", 11);
    tc_in_f(&c, "x", 4, S1133, X3);
    tc_init(&c, "w", FINN_ELEM_FLOAT, 4, S1122, w);
    tc_out(&c, "y");
    tc_ints(&c, "kernel_shape", 2, k2);
    RUN_OK(&c);
    CHECK_OUT(&c, "y", o, want2);
    tc_end(&c);
}

static void test_conv_group_dilation(void)
{
    tcase c;
    /* group 2, 1x1 kernels: ch0 [1 2 3 4] * 2, ch1 [5 6 7 8] * 3 */
    static const double x[8] = {1, 2, 3, 4, 5, 6, 7, 8}, w[2] = {2, 3};
    static const double want[8] = {2, 4, 6, 8, 15, 18, 21, 24};
    static const int64_t xs[4] = {1, 2, 2, 2}, ws[4] = {2, 1, 1, 1}, o[4] = {1, 2, 2, 2};
    tc_begin(&c, "Conv", 13);
    tc_in_f(&c, "x", 4, xs, x);
    tc_init(&c, "w", FINN_ELEM_FLOAT, 4, ws, w);
    tc_out(&c, "y");
    finn_node_set_attr_i(c.n, "group", 2, &c.err);
    RUN_OK(&c);
    CHECK_OUT(&c, "y", o, want);
    tc_end(&c);

    /* pointwise (1x1, group 1) mixes channels: ch0 + 10*ch1 = 51 62 73 84 */
    static const double w2[2] = {1, 10}, want2[4] = {51, 62, 73, 84};
    static const int64_t ws2[4] = {1, 2, 1, 1}, o2[4] = {1, 1, 2, 2};
    tc_begin(&c, "Conv", 13);
    tc_in_f(&c, "x", 4, xs, x);
    tc_init(&c, "w", FINN_ELEM_FLOAT, 4, ws2, w2);
    tc_out(&c, "y");
    RUN_OK(&c);
    CHECK_OUT(&c, "y", o2, want2);
    tc_end(&c);

    /* dilation 2: effective kernel 3, one output from taps x(0,0)=1, x(0,2)=3,
     * x(2,0)=7, x(2,2)=9: 1*1 + 2*3 + 3*7 + 4*9 = 64 */
    static const double w3[4] = {1, 2, 3, 4}, want3[1] = {64};
    static const int64_t d2[2] = {2, 2}, o3[4] = {1, 1, 1, 1};
    tc_begin(&c, "Conv", 13);
    tc_in_f(&c, "x", 4, S1133, X3);
    tc_init(&c, "w", FINN_ELEM_FLOAT, 4, S1122, w3);
    tc_out(&c, "y");
    tc_ints(&c, "dilations", 2, d2);
    RUN_OK(&c);
    CHECK_OUT(&c, "y", o3, want3);
    tc_end(&c);

    /* kernel_shape attribute that disagrees with W */
    static const int64_t k3[2] = {3, 3};
    tc_begin(&c, "Conv", 13);
    tc_in_f(&c, "x", 4, S1133, X3);
    tc_init(&c, "w", FINN_ELEM_FLOAT, 4, S1122, w3);
    tc_out(&c, "y");
    tc_ints(&c, "kernel_shape", 2, k3);
    CHECK(tc_run(&c) != 0);
    CHECK_CONTAINS(c.err.msg, "kernel_shape 3 differs from W's spatial dim 2");
    tc_end(&c);

    /* group mismatch: 2 input channels, W expects 3 per group */
    static const int64_t bad[4] = {1, 3, 1, 1};
    tc_begin(&c, "Conv", 13);
    tc_in_f(&c, "x", 4, xs, x);
    tc_init(&c, "w", FINN_ELEM_FLOAT, 4, bad, NULL);
    tc_out(&c, "y");
    CHECK(tc_run(&c) != 0);
    CHECK_CONTAINS(c.err.msg, "node 'n0' (Conv)");
    CHECK_CONTAINS(c.err.msg, "mismatch");
    tc_end(&c);
}

static void test_conv_autopad_1d(void)
{
    tcase c;
    static const double ones[4] = {1, 1, 1, 1};
    static const int64_t o[4] = {1, 1, 3, 3};
    /* SAME_UPPER, 2x2 ones, stride 1: total pad 1 goes at the end.
     * out(r,c) = sum x[r..r+1][c..c+1] within the image:
     * (0,0) 1+2+4+5 = 12, (0,1) 2+3+5+6 = 16, (0,2) 3+6 = 9,
     * (1,0) 4+5+7+8 = 24, (1,1) 28, (1,2) 6+9 = 15, (2,0) 7+8 = 15, (2,1) 17, (2,2) 9 */
    static const double up[9] = {12, 16, 9, 24, 28, 15, 15, 17, 9};
    tc_begin(&c, "Conv", 13);
    tc_in_f(&c, "x", 4, S1133, X3);
    tc_init(&c, "w", FINN_ELEM_FLOAT, 4, S1122, ones);
    tc_out(&c, "y");
    finn_node_set_attr_s(c.n, "auto_pad", "SAME_UPPER", &c.err);
    RUN_OK(&c);
    CHECK_OUT(&c, "y", o, up);
    tc_end(&c);

    /* SAME_LOWER: the pad goes first: (0,0) = x(0,0) = 1, (0,1) 1+2 = 3,
     * (1,1) 1+2+4+5 = 12, (2,2) 5+6+8+9 = 28 */
    static const double lo[9] = {1, 3, 5, 5, 12, 16, 11, 24, 28};
    tc_begin(&c, "Conv", 13);
    tc_in_f(&c, "x", 4, S1133, X3);
    tc_init(&c, "w", FINN_ELEM_FLOAT, 4, S1122, ones);
    tc_out(&c, "y");
    finn_node_set_attr_s(c.n, "auto_pad", "SAME_LOWER", &c.err);
    RUN_OK(&c);
    CHECK_OUT(&c, "y", o, lo);
    tc_end(&c);

    /* 1-D: x = 1..5, w = [1 0 -1], pads 1, stride 2: out len floor((5+2-3)/2)+1 = 3,
     * y[i] = x[2i-1] - x[2i+1]: 0-2 = -2, 2-4 = -2, 4-0 = 4 */
    static const double x1[5] = {1, 2, 3, 4, 5}, w1[3] = {1, 0, -1}, want1[3] = {-2, -2, 4};
    static const int64_t xs[3] = {1, 1, 5}, ws[3] = {1, 1, 3}, os[3] = {1, 1, 3};
    static const int64_t p[2] = {1, 1}, s[1] = {2};
    tc_begin(&c, "Conv", 13);
    tc_in_f(&c, "x", 3, xs, x1);
    tc_init(&c, "w", FINN_ELEM_FLOAT, 3, ws, w1);
    tc_out(&c, "y");
    tc_ints(&c, "pads", 2, p);
    tc_ints(&c, "strides", 1, s);
    RUN_OK(&c);
    CHECK_OUT(&c, "y", os, want1);
    tc_end(&c);
}

/* ---- numpy cross-check of bigger Convs ----------------------------------- */
static const char *NUMPY_CONV =
    "import numpy as np,sys\n"
    "d=sys.argv[1]; g,s,dl,p=[int(v) for v in sys.argv[2:6]]\n"
    "x=np.load(d+'/x.npy').astype(np.float64); w=np.load(d+'/w.npy').astype(np.float64)\n"
    "b=np.load(d+'/b.npy').astype(np.float64)\n"
    "N,C,H,W=x.shape; M,Cg,KH,KW=w.shape\n"
    "xp=np.pad(x,((0,0),(0,0),(p,p),(p,p)))\n"
    "OH=(H+2*p-((KH-1)*dl+1))//s+1; OW=(W+2*p-((KW-1)*dl+1))//s+1\n"
    "y=np.zeros((N,M,OH,OW)); Mg=M//g\n"
    "for m in range(M):\n"
    "  gi=m//Mg\n"
    "  for i in range(OH):\n"
    "    for j in range(OW):\n"
    "      win=xp[:,gi*Cg:(gi+1)*Cg,i*s:i*s+(KH-1)*dl+1:dl,j*s:j*s+(KW-1)*dl+1:dl]\n"
    "      y[:,m,i,j]=(win*w[m]).sum(axis=(1,2,3))+b[m]\n"
    "np.save(d+'/y.npy',y.astype(np.float32))\n";

static int have_numpy(void)
{
    int status = 1;
    char *out = test_run("/usr/bin/python3 -c 'import numpy' 2>/dev/null", &status);
    free(out);
    return status == 0;
}

static finn_tensor *random_ints(int ndim, const int64_t *shape, uint32_t *r)
{
    finn_error err;
    finn_tensor *t = finn_tensor_new(FINN_ELEM_FLOAT, ndim, shape, &err);
    for (size_t i = 0; i < finn_tensor_numel(t); i++) {
        *r = *r * 1103515245u + 12345u;
        ((float *)t->data)[i] = (float)((int)((*r >> 16) % 16) - 8);
    }
    return t;
}

static void save_npy(const char *dir, const char *name, const finn_tensor *t)
{
    char path[512];
    finn_error err;
    snprintf(path, sizeof path, "%s/%s.npy", dir, name);
    CHECK_EQ_INT(finn_npy_write(path, t, &err), 0);
}

/* Conv with pads p, strides s, dilations d, group g on random integers in
 * [-8, 7] (every float32 partial sum is exact, so equality is exact),
 * compared with a numpy float64 reference; os is the expected output shape. */
static void conv_numpy_case(const int64_t *xs, const int64_t *ws, int64_t g, int64_t s,
                            int64_t d, int64_t p, const int64_t *os, int line)
{
    finn_error err;
    uint32_t r = (uint32_t)line;
    const int64_t bs[1] = {ws[0]};
    finn_tensor *x = random_ints(4, xs, &r), *w = random_ints(4, ws, &r);
    finn_tensor *b = random_ints(1, bs, &r);
    const char *dir = test_tmpdir();
    char path[512], cmd[4096];
    save_npy(dir, "x", x);
    save_npy(dir, "w", w);
    save_npy(dir, "b", b);
    snprintf(path, sizeof path, "%s/conv.py", dir);
    FILE *f = fopen(path, "w");
    fputs(NUMPY_CONV, f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s %s %lld %lld %lld %lld", path, dir,
             (long long)g, (long long)s, (long long)d, (long long)p);
    int status = 1;
    char *out = test_run(cmd, &status);
    CHECK_EQ_INT(status, 0);
    if (status)
        fprintf(stderr, "%s\n", out);
    free(out);
    finn_tensor *ref = NULL;
    snprintf(path, sizeof path, "%s/y.npy", dir);
    CHECK_EQ_INT(finn_npy_read(path, &ref, &err), 0);

    tcase c;
    const int64_t pads[4] = {p, p, p, p}, st[2] = {s, s}, dl[2] = {d, d};
    tc_begin(&c, "Conv", 13);
    tc_input(&c, "x", FINN_ELEM_FLOAT, 4, xs, NULL);
    finn_exec_ctx_set(c.ctx, "x", x, &err);
    finn_model_set_initializer(c.m, "w", w, &err);
    finn_node_add_input(c.n, "w", &err);
    finn_model_set_initializer(c.m, "b", b, &err);
    finn_node_add_input(c.n, "b", &err);
    tc_out(&c, "y");
    finn_node_set_attr_i(c.n, "group", g, &err);
    tc_ints(&c, "pads", 4, pads);
    tc_ints(&c, "strides", 2, st);
    tc_ints(&c, "dilations", 2, dl);
    RUN_OK(&c);
    check_out(&c, "y", 4, os, NULL, line);
    const finn_tensor *y = finn_exec_ctx_get(c.ctx, "y");
    if (ref && y && finn_tensor_numel(ref) == finn_tensor_numel(y)) {
        size_t bad = 0;
        for (size_t i = 0; i < finn_tensor_numel(y); i++)
            bad += ((float *)y->data)[i] != ((float *)ref->data)[i];
        CHECK_EQ_INT(bad, 0);
    } else {
        CHECK(0 && "numpy reference missing or of another size");
    }
    finn_tensor_free(ref);
    tc_end(&c);
}

static void test_conv_numpy(void)
{
    if (!have_numpy()) {
        printf("numpy not available: skipping the Conv cross-checks\n");
        return;
    }
    /* many columns (blocked path, 2 blocks of 128): OH = (25+2-5)/2+1 = 12,
     * OW = (27+2-5)/2+1 = 13 -> 156 columns; group 2 */
    static const int64_t x1[4] = {2, 4, 25, 27}, w1[4] = {6, 2, 3, 3}, o1[4] = {2, 6, 12, 13};
    conv_numpy_case(x1, w1, 2, 2, 2, 1, o1, __LINE__);
    /* few columns (interleaved dot products): 3x3 -> 3x3 with pads 1;
     * 10 filters per group = one block of 8 and 2 single rows */
    static const int64_t x2[4] = {1, 6, 3, 3}, w2[4] = {20, 3, 3, 3}, o2[4] = {1, 20, 3, 3};
    conv_numpy_case(x2, w2, 2, 1, 1, 1, o2, __LINE__);
    /* a late CNV layer: 1x1 output, 64 filters */
    static const int64_t x3[4] = {1, 32, 3, 3}, w3[4] = {64, 32, 3, 3}, o3[4] = {1, 64, 1, 1};
    conv_numpy_case(x3, w3, 1, 1, 1, 0, o3, __LINE__);
}

/* ---- ConvTranspose ---------------------------------------------------------- */
static void test_conv_transpose(void)
{
    tcase c;
    static const double x[4] = {1, 2, 3, 4}, ones[4] = {1, 1, 1, 1};
    static const int64_t s2[2] = {2, 2};
    /* stride 2, 2x2 ones: each input pixel becomes a 2x2 block */
    static const double want[16] = {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4};
    static const int64_t o4[4] = {1, 1, 4, 4};
    tc_begin(&c, "ConvTranspose", 13);
    tc_in_f(&c, "x", 4, S1122, x);
    tc_init(&c, "w", FINN_ELEM_FLOAT, 4, S1122, ones);
    tc_out(&c, "y");
    tc_ints(&c, "strides", 2, s2);
    RUN_OK(&c);
    CHECK_OUT(&c, "y", o4, want);
    tc_end(&c);

    /* stride 1: out 3x3, overlapping blocks add: centre 1+2+3+4 = 10,
     * (0,1) 1+2 = 3, (1,0) 1+3 = 4, (1,2) 2+4 = 6, (2,1) 3+4 = 7; bias 0.5 */
    static const double want1[9] = {1.5, 3.5, 2.5, 4.5, 10.5, 6.5, 3.5, 7.5, 4.5};
    static const double b[1] = {0.5};
    static const int64_t o3[4] = {1, 1, 3, 3}, bs[1] = {1};
    tc_begin(&c, "ConvTranspose", 13);
    tc_in_f(&c, "x", 4, S1122, x);
    tc_init(&c, "w", FINN_ELEM_FLOAT, 4, S1122, ones);
    tc_init(&c, "b", FINN_ELEM_FLOAT, 1, bs, b);
    tc_out(&c, "y");
    RUN_OK(&c);
    CHECK_OUT(&c, "y", o3, want1);
    tc_end(&c);

    /* stride 1 with pads 1: out = (2-1) + 2 - 2 = 1, the centre 10 */
    static const double want2[1] = {10};
    static const int64_t p1[4] = {1, 1, 1, 1}, o1[4] = {1, 1, 1, 1};
    tc_begin(&c, "ConvTranspose", 13);
    tc_in_f(&c, "x", 4, S1122, x);
    tc_init(&c, "w", FINN_ELEM_FLOAT, 4, S1122, ones);
    tc_out(&c, "y");
    tc_ints(&c, "pads", 4, p1);
    RUN_OK(&c);
    CHECK_OUT(&c, "y", o1, want2);
    tc_end(&c);

    /* stride 2, output_padding 1: out 5x5, the extra row/column is zero */
    static const double want3[25] = {1, 1, 2, 2, 0, 1, 1, 2, 2, 0, 3, 3, 4, 4, 0,
                                     3, 3, 4, 4, 0, 0, 0, 0, 0, 0};
    static const int64_t op[2] = {1, 1}, o5[4] = {1, 1, 5, 5};
    tc_begin(&c, "ConvTranspose", 13);
    tc_in_f(&c, "x", 4, S1122, x);
    tc_init(&c, "w", FINN_ELEM_FLOAT, 4, S1122, ones);
    tc_out(&c, "y");
    tc_ints(&c, "strides", 2, s2);
    tc_ints(&c, "output_padding", 2, op);
    RUN_OK(&c);
    CHECK_OUT(&c, "y", o5, want3);
    tc_end(&c);

    /* output_shape 3x3 with stride 2: full 4, total pad 1 at the end (NOTSET)
     * -> the top-left 3x3 of the stride-2 result */
    static const double want4[9] = {1, 1, 2, 1, 1, 2, 3, 3, 4};
    static const int64_t osh[2] = {3, 3};
    tc_begin(&c, "ConvTranspose", 13);
    tc_in_f(&c, "x", 4, S1122, x);
    tc_init(&c, "w", FINN_ELEM_FLOAT, 4, S1122, ones);
    tc_out(&c, "y");
    tc_ints(&c, "strides", 2, s2);
    tc_ints(&c, "output_shape", 2, osh);
    RUN_OK(&c);
    CHECK_OUT(&c, "y", o3, want4);
    tc_end(&c);

    /* 1-D auto_pad, x = [1 2], w = [1 1 1], stride 2: the full output is
     * x0 at 0..2 and x1 at 2..4 = [1 1 3 2 2] (5 long); SAME targets
     * 2*2 = 4, total pad 1, which onnxruntime puts at the start for
     * SAME_UPPER -> [1 3 2 2] and at the end for SAME_LOWER -> [1 1 3 2] */
    static const double xa[2] = {1, 2}, wa[3] = {1, 1, 1};
    static const double up[4] = {1, 3, 2, 2}, lo[4] = {1, 1, 3, 2};
    static const int64_t xas[3] = {1, 1, 2}, was[3] = {1, 1, 3}, oas[3] = {1, 1, 4};
    static const int64_t sa[1] = {2};
    for (int i = 0; i < 2; i++) {
        tc_begin(&c, "ConvTranspose", 13);
        tc_in_f(&c, "x", 3, xas, xa);
        tc_init(&c, "w", FINN_ELEM_FLOAT, 3, was, wa);
        tc_out(&c, "y");
        tc_ints(&c, "strides", 1, sa);
        finn_node_set_attr_s(c.n, "auto_pad", i ? "SAME_LOWER" : "SAME_UPPER", &c.err);
        RUN_OK(&c);
        CHECK_OUT(&c, "y", oas, i ? lo : up);
        tc_end(&c);
    }

    /* group 2, 1x1: [2, 3] * [5, 7] = [10, 21] */
    static const double xg[2] = {2, 3}, wg[2] = {5, 7}, wantg[2] = {10, 21};
    static const int64_t xgs[4] = {1, 2, 1, 1}, wgs[4] = {2, 1, 1, 1};
    tc_begin(&c, "ConvTranspose", 13);
    tc_in_f(&c, "x", 4, xgs, xg);
    tc_init(&c, "w", FINN_ELEM_FLOAT, 4, wgs, wg);
    tc_out(&c, "y");
    finn_node_set_attr_i(c.n, "group", 2, &c.err);
    RUN_OK(&c);
    CHECK_OUT(&c, "y", xgs, wantg);
    tc_end(&c);

    /* 1-D, dilation 2: len (2-1) + (2-1)*2 + 1 = 4; x0 lands at 0 (w0) and 2 (w1),
     * x1 at 1 and 3: [1*1, 2*1, 1*10, 2*10] */
    static const double x1[2] = {1, 2}, w1[2] = {1, 10}, want5[4] = {1, 2, 10, 20};
    static const int64_t s12[3] = {1, 1, 2}, o14[3] = {1, 1, 4}, d2[1] = {2};
    tc_begin(&c, "ConvTranspose", 13);
    tc_in_f(&c, "x", 3, s12, x1);
    tc_init(&c, "w", FINN_ELEM_FLOAT, 3, s12, w1);
    tc_out(&c, "y");
    tc_ints(&c, "dilations", 1, d2);
    RUN_OK(&c);
    CHECK_OUT(&c, "y", o14, want5);
    tc_end(&c);
}

/* ---- pooling ---------------------------------------------------------------- */
static void run_pool(const char *op, int ndim, const int64_t *xs, const double *x,
                     const int64_t *k, const int64_t *s, const int64_t *p, int ceil_mode,
                     int incl, int odim, const int64_t *os, const double *want, int line)
{
    tcase c;
    int nsp = ndim - 2;
    tc_begin(&c, op, 13);
    tc_in_f(&c, "x", ndim, xs, x);
    tc_out(&c, "y");
    tc_ints(&c, "kernel_shape", (size_t)nsp, k);
    if (s)
        tc_ints(&c, "strides", (size_t)nsp, s);
    if (p)
        tc_ints(&c, "pads", (size_t)(2 * nsp), p);
    if (ceil_mode)
        finn_node_set_attr_i(c.n, "ceil_mode", 1, &c.err);
    if (incl)
        finn_node_set_attr_i(c.n, "count_include_pad", 1, &c.err);
    RUN_OK(&c);
    check_out(&c, "y", odim, os, want, line);
    tc_end(&c);
}

static void test_maxpool(void)
{
    static const int64_t s44[4] = {1, 1, 4, 4}, k2[2] = {2, 2}, s2[2] = {2, 2};
    static const int64_t o22[4] = {1, 1, 2, 2}, o33[4] = {1, 1, 3, 3};
    /* 4x4 of 1..16 (IOTA+1), 2x2 stride 2: window maxima 6 8 14 16 */
    double x16[25];
    for (int i = 0; i < 25; i++)
        x16[i] = i + 1;
    static const double w1[4] = {6, 8, 14, 16};
    run_pool("MaxPool", 4, s44, x16, k2, s2, NULL, 0, 0, 4, o22, w1, __LINE__);

    /* 5x5 of 1..25: floor mode 2x2; ceil_mode 3x3 (ceil(3/2)+1, last window
     * starts at 4 < 5).  Windows cover rows/cols {0,1},{2,3},{4}: the max is
     * at (r,c) with r,c in {1,3,4}: value 5r+c+1 */
    static const int64_t s55[4] = {1, 1, 5, 5};
    static const double fl[4] = {7, 9, 17, 19}, ce[9] = {7, 9, 10, 17, 19, 20, 22, 24, 25};
    run_pool("MaxPool", 4, s55, x16, k2, s2, NULL, 0, 0, 4, o22, fl, __LINE__);
    run_pool("MaxPool", 4, s55, x16, k2, s2, NULL, 1, 0, 4, o33, ce, __LINE__);

    /* pads are ignored, not zeros: x = [-1 -2; -3 -4], 2x2 stride 1 pads 1:
     * corners see one element, edges two, the centre all four (max -1) */
    static const double neg[4] = {-1, -2, -3, -4};
    static const double pw[9] = {-1, -1, -2, -1, -1, -2, -3, -3, -4};
    static const int64_t p1[4] = {1, 1, 1, 1};
    run_pool("MaxPool", 4, S1122, neg, k2, NULL, p1, 0, 0, 4, o33, pw, __LINE__);

    /* 1-D ceil_mode whose last window would start in the end padding:
     * x = [1 2 3], k 2, s 2, pads 1/1: ceil((3+2-2)/2)+1 = 3, but window 2
     * starts at 3 >= 3+0 -> dropped: windows {-1,0} -> 1, {1,2} -> 3 */
    static const double x3[3] = {1, 2, 3}, w3[2] = {1, 3};
    static const int64_t s13[3] = {1, 1, 3}, k1[1] = {2}, st1[1] = {2}, p11[2] = {1, 1};
    static const int64_t o12[3] = {1, 1, 2};
    run_pool("MaxPool", 3, s13, x3, k1, st1, p11, 1, 0, 3, o12, w3, __LINE__);

    /* dilation 2 on 4x4 1..16, k 2 stride 1: taps two apart,
     * (0,0): 1 3 9 11 -> 11, (0,1) -> 12, (1,0) -> 15, (1,1) -> 16;
     * Indices output: flat positions 10 11 14 15 */
    tcase c;
    static const double dw[4] = {11, 12, 15, 16}, di[4] = {10, 11, 14, 15};
    static const int64_t d2[2] = {2, 2};
    tc_begin(&c, "MaxPool", 12);
    tc_in_f(&c, "x", 4, s44, x16);
    tc_out(&c, "y");
    tc_out(&c, "idx");
    tc_ints(&c, "kernel_shape", 2, k2);
    tc_ints(&c, "dilations", 2, d2);
    RUN_OK(&c);
    CHECK_OUT(&c, "y", o22, dw);
    CHECK_OUT(&c, "idx", o22, di);
    CHECK(finn_exec_ctx_get(c.ctx, "idx") &&
          finn_exec_ctx_get(c.ctx, "idx")->type == FINN_ELEM_INT64);
    tc_end(&c);

    /* int8 data stays int8 */
    tc_begin(&c, "MaxPool", 12);
    static const double i8[4] = {-7, 3, -128, 127}, i8w[1] = {127};
    static const int64_t o11[4] = {1, 1, 1, 1};
    tc_input(&c, "x", FINN_ELEM_INT8, 4, S1122, i8);
    tc_out(&c, "y");
    tc_ints(&c, "kernel_shape", 2, k2);
    RUN_OK(&c);
    CHECK_OUT(&c, "y", o11, i8w);
    CHECK(finn_exec_ctx_get(c.ctx, "y") && finn_exec_ctx_get(c.ctx, "y")->type == FINN_ELEM_INT8);
    tc_end(&c);

    /* no kernel_shape -> error */
    tc_begin(&c, "MaxPool", 12);
    tc_in_f(&c, "x", 4, s44, x16);
    tc_out(&c, "y");
    CHECK(tc_run(&c) != 0);
    CHECK_CONTAINS(c.err.msg, "kernel_shape is required");
    tc_end(&c);
}

static void test_avgpool(void)
{
    static const int64_t k2[2] = {2, 2}, s2[2] = {2, 2}, p1[4] = {1, 1, 1, 1};
    static const int64_t o22[4] = {1, 1, 2, 2};
    /* 3x3 of 1..9, 2x2 stride 1: (1+2+4+5)/4 = 3, (2+3+5+6)/4 = 4, 6, 7 */
    static const double w1[4] = {3, 4, 6, 7};
    run_pool("AveragePool", 4, S1133, X3, k2, NULL, NULL, 0, 0, 4, o22, w1, __LINE__);
    /* pads 1, stride 2: windows hold {1}, {2,3}, {4,7}, {5,6,8,9}:
     * exclude pads: 1/1, 5/2, 11/2, 28/4; include pads: divide by 4 */
    static const double ex[4] = {1, 2.5, 5.5, 7}, in[4] = {0.25, 1.25, 2.75, 7};
    run_pool("AveragePool", 4, S1133, X3, k2, s2, p1, 0, 0, 4, o22, ex, __LINE__);
    run_pool("AveragePool", 4, S1133, X3, k2, s2, p1, 0, 1, 4, o22, in, __LINE__);
    /* 1-D ceil_mode with count_include_pad: x = 1..4, k 3, s 2: ceil((4-3)/2)+1 = 2;
     * window 2 = {2,3,4}: position 4 is outside even the padded input, so the
     * divisor is 2: (3+4)/2 = 3.5; window 1 = (1+2+3)/3 = 2 */
    static const double x4[4] = {1, 2, 3, 4}, w4[2] = {2, 3.5};
    static const int64_t s14[3] = {1, 1, 4}, k3[1] = {3}, st2[1] = {2}, o12[3] = {1, 1, 2};
    run_pool("AveragePool", 3, s14, x4, k3, st2, NULL, 1, 1, 3, o12, w4, __LINE__);
}

static void test_global_pools(void)
{
    /* ch0 [1 2 3 4] -> avg 2.5, max 4; ch1 [5 6 7 9] -> avg 27/4 = 6.75, max 9 */
    static const double x[8] = {1, 2, 3, 4, 5, 6, 7, 9}, avg[2] = {2.5, 6.75}, mx[2] = {4, 9};
    static const int64_t xs[4] = {1, 2, 2, 2}, os[4] = {1, 2, 1, 1};
    const char *ops[2] = {"GlobalAveragePool", "GlobalMaxPool"};
    const double *want[2] = {avg, mx};
    for (int i = 0; i < 2; i++) {
        tcase c;
        tc_begin(&c, ops[i], 13);
        tc_in_f(&c, "x", 4, xs, x);
        tc_out(&c, "y");
        RUN_OK(&c);
        CHECK_OUT(&c, "y", os, want[i]);
        tc_end(&c);
    }
}

/* ---- shape ops ------------------------------------------------------------- */
static const int64_t S234[3] = {2, 3, 4};

static void reshape_case(const int64_t *shape, size_t n, int odim, const int64_t *os,
                         int allowzero, int line)
{
    tcase c;
    tc_begin(&c, "Reshape", 14);
    tc_in_f(&c, "x", 3, S234, IOTA);
    tc_init_i64(&c, "s", n, shape);
    tc_out(&c, "y");
    if (allowzero)
        finn_node_set_attr_i(c.n, "allowzero", 1, &c.err);
    RUN_OK(&c);
    check_out(&c, "y", odim, os, IOTA, line); /* same data, row-major */
    tc_end(&c);
}

static void test_reshape_flatten(void)
{
    /* (2,3,4) = 24 elements: [0,-1] -> (2,12); [-1,4,0]: 0 copies dim 2 = 4,
     * -1 = 24/16 -> not integral (error below); [0,0,-1] -> (2,3,4); [4,-1] -> (4,6) */
    static const int64_t a[2] = {0, -1}, oa[2] = {2, 12};
    static const int64_t b[3] = {0, 0, -1};
    static const int64_t d[2] = {4, -1}, od[2] = {4, 6};
    reshape_case(a, 2, 2, oa, 0, __LINE__);
    reshape_case(b, 3, 3, S234, 0, __LINE__);
    reshape_case(d, 2, 2, od, 0, __LINE__);

    tcase c;
    static const int64_t bad[3] = {-1, 4, 0};
    tc_begin(&c, "Reshape", 13);
    tc_in_f(&c, "x", 3, S234, IOTA);
    tc_init_i64(&c, "s", 3, bad);
    tc_out(&c, "y");
    CHECK(tc_run(&c) != 0);
    CHECK_CONTAINS(c.err.msg, "cannot infer -1");
    tc_end(&c);

    /* allowzero: a 0 in shape is a real 0 -> 24 elements cannot become (0, 24) */
    static const int64_t z[2] = {0, 24};
    tc_begin(&c, "Reshape", 14);
    tc_in_f(&c, "x", 3, S234, IOTA);
    tc_init_i64(&c, "s", 2, z);
    tc_out(&c, "y");
    finn_node_set_attr_i(c.n, "allowzero", 1, &c.err);
    CHECK(tc_run(&c) != 0);
    CHECK_CONTAINS(c.err.msg, "cannot reshape (2, 3, 4)");
    tc_end(&c);

    /* the shape must be a constant for inference */
    static const int64_t two[1] = {2};
    static const double sv[2] = {4, 6};
    tc_begin(&c, "Reshape", 13);
    tc_in_f(&c, "x", 3, S234, IOTA);
    tc_input(&c, "s", FINN_ELEM_INT64, 1, two, sv);
    tc_out(&c, "y");
    CHECK(tc_run(&c) != 0);
    CHECK_CONTAINS(c.err.msg, "not a constant initializer");
    tc_end(&c);

    /* Flatten (2,3,4): axis 1 -> (2,12), -1 -> (6,4), 0 -> (1,24), 3 -> (24,1) */
    static const int64_t axes[4] = {1, -1, 0, 3};
    static const int64_t outs[4][2] = {{2, 12}, {6, 4}, {1, 24}, {24, 1}};
    for (int i = 0; i < 4; i++) {
        tc_begin(&c, "Flatten", 13);
        tc_in_f(&c, "x", 3, S234, IOTA);
        tc_out(&c, "y");
        finn_node_set_attr_i(c.n, "axis", axes[i], &c.err);
        RUN_OK(&c);
        check_out(&c, "y", 2, outs[i], IOTA, __LINE__);
        tc_end(&c);
    }
}

static void test_transpose(void)
{
    tcase c;
    /* default perm reverses: [[0 1 2],[3 4 5]] -> [[0 3],[1 4],[2 5]] */
    static const int64_t s23[2] = {2, 3}, s32[2] = {3, 2};
    static const double w[6] = {0, 3, 1, 4, 2, 5};
    tc_begin(&c, "Transpose", 13);
    tc_input(&c, "x", FINN_ELEM_INT64, 2, s23, IOTA);
    tc_out(&c, "y");
    RUN_OK(&c);
    CHECK_OUT(&c, "y", s32, w);
    tc_end(&c);

    /* perm (2,0,1) of (2,3,4) iota: y[k][i][j] = x[i][j][k] = 12i + 4j + k;
     * out shape (4,2,3); y[1][1][2] (flat 1*6+1*3+2 = 11) = 12 + 8 + 1 = 21,
     * y[3][0][1] (flat 19) = 4 + 3 = 7 */
    static const int64_t perm[3] = {2, 0, 1}, o[3] = {4, 2, 3};
    tc_begin(&c, "Transpose", 13);
    tc_in_f(&c, "x", 3, S234, IOTA);
    tc_out(&c, "y");
    tc_ints(&c, "perm", 3, perm);
    RUN_OK(&c);
    CHECK_OUT(&c, "y", o, NULL);
    const finn_tensor *y = finn_exec_ctx_get(c.ctx, "y");
    CHECK(y && finn_tensor_get(y, 11) == 21 && finn_tensor_get(y, 19) == 7 &&
          finn_tensor_get(y, 0) == 0 && finn_tensor_get(y, 23) == 23);
    tc_end(&c);
}

static void test_squeeze_unsqueeze(void)
{
    tcase c;
    static const int64_t s131[3] = {1, 3, 1}, s3[1] = {3}, s31[2] = {3, 1};
    static const double v[3] = {7, 8, 9};
    /* opset 11: axes attribute [0, -1] -> (3) */
    static const int64_t ax[2] = {0, -1};
    tc_begin(&c, "Squeeze", 11);
    tc_in_f(&c, "x", 3, s131, v);
    tc_out(&c, "y");
    tc_ints(&c, "axes", 2, ax);
    RUN_OK(&c);
    CHECK_OUT(&c, "y", s3, v);
    tc_end(&c);
    /* opset 13: axes input [-3] -> (3,1) */
    static const int64_t ax13[1] = {-3};
    tc_begin(&c, "Squeeze", 13);
    tc_in_f(&c, "x", 3, s131, v);
    tc_init_i64(&c, "axes", 1, ax13);
    tc_out(&c, "y");
    RUN_OK(&c);
    CHECK_OUT(&c, "y", s31, v);
    tc_end(&c);
    /* no axes: every 1 goes */
    tc_begin(&c, "Squeeze", 13);
    tc_in_f(&c, "x", 3, s131, v);
    tc_out(&c, "y");
    RUN_OK(&c);
    CHECK_OUT(&c, "y", s3, v);
    tc_end(&c);
    /* squeezing a dim of size 3 is an error */
    static const int64_t ax1[1] = {1};
    tc_begin(&c, "Squeeze", 13);
    tc_in_f(&c, "x", 3, s131, v);
    tc_init_i64(&c, "axes", 1, ax1);
    tc_out(&c, "y");
    CHECK(tc_run(&c) != 0);
    CHECK_CONTAINS(c.err.msg, "dim 1 has size 3, not 1");
    tc_end(&c);

    /* Unsqueeze opset 11 attr [0, 3] on (2,3) -> (1,2,3,1) */
    static const int64_t s23[2] = {2, 3}, u[2] = {0, 3}, o1[4] = {1, 2, 3, 1};
    tc_begin(&c, "Unsqueeze", 11);
    tc_in_f(&c, "x", 2, s23, IOTA);
    tc_out(&c, "y");
    tc_ints(&c, "axes", 2, u);
    RUN_OK(&c);
    CHECK_OUT(&c, "y", o1, IOTA);
    tc_end(&c);
    /* opset 13 input [-1] -> (2,3,1); [1, -1] -> (2,1,3,1) */
    static const int64_t um[1] = {-1}, o2[3] = {2, 3, 1}, um2[2] = {1, -1}, o3[4] = {2, 1, 3, 1};
    tc_begin(&c, "Unsqueeze", 13);
    tc_in_f(&c, "x", 2, s23, IOTA);
    tc_init_i64(&c, "axes", 1, um);
    tc_out(&c, "y");
    RUN_OK(&c);
    CHECK_OUT(&c, "y", o2, IOTA);
    tc_end(&c);
    tc_begin(&c, "Unsqueeze", 13);
    tc_in_f(&c, "x", 2, s23, IOTA);
    tc_init_i64(&c, "axes", 2, um2);
    tc_out(&c, "y");
    RUN_OK(&c);
    CHECK_OUT(&c, "y", o3, IOTA);
    tc_end(&c);
}

static void test_expand(void)
{
    tcase c;
    /* (3,1) [1 2 3] expanded with shape (1,2) -> (3,2) [[1 1],[2 2],[3 3]] */
    static const int64_t s31[2] = {3, 1}, sh[2] = {1, 2}, o[2] = {3, 2};
    static const double x[3] = {1, 2, 3}, w[6] = {1, 1, 2, 2, 3, 3};
    tc_begin(&c, "Expand", 13);
    tc_in_f(&c, "x", 2, s31, x);
    tc_init_i64(&c, "s", 2, sh);
    tc_out(&c, "y");
    RUN_OK(&c);
    CHECK_OUT(&c, "y", o, w);
    tc_end(&c);
    /* rank grows: (3,1) to (2,1,2) -> (2,3,2), the block repeated twice */
    static const int64_t sh3[3] = {2, 1, 2}, o3[3] = {2, 3, 2};
    static const double w3[12] = {1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3};
    tc_begin(&c, "Expand", 13);
    tc_in_f(&c, "x", 2, s31, x);
    tc_init_i64(&c, "s", 3, sh3);
    tc_out(&c, "y");
    RUN_OK(&c);
    CHECK_OUT(&c, "y", o3, w3);
    tc_end(&c);
}

/* ---- Concat / Split --------------------------------------------------------- */
static void test_concat_split(void)
{
    tcase c;
    /* axis -1: a (2,1) [1 2], b (2,2) [3 4 5 6] -> [[1 3 4],[2 5 6]] */
    static const int64_t sa[2] = {2, 1}, sb[2] = {2, 2}, o[2] = {2, 3};
    static const double a[2] = {1, 2}, b[4] = {3, 4, 5, 6}, w[6] = {1, 3, 4, 2, 5, 6};
    tc_begin(&c, "Concat", 13);
    tc_in_f(&c, "a", 2, sa, a);
    tc_in_f(&c, "b", 2, sb, b);
    tc_out(&c, "y");
    finn_node_set_attr_i(c.n, "axis", -1, &c.err);
    RUN_OK(&c);
    CHECK_OUT(&c, "y", o, w);
    tc_end(&c);
    /* axis 0 with mismatched dim 1 -> error naming both inputs */
    tc_begin(&c, "Concat", 13);
    tc_in_f(&c, "a", 2, sa, a);
    tc_in_f(&c, "b", 2, sb, b);
    tc_out(&c, "y");
    finn_node_set_attr_i(c.n, "axis", 0, &c.err);
    CHECK(tc_run(&c) != 0);
    CHECK_CONTAINS(c.err.msg, "input 'b'");
    tc_end(&c);

    /* Split (2,3) [[0 1 2],[3 4 5]] on axis 1 */
    static const int64_t s23[2] = {2, 3}, o21[2] = {2, 1}, o22[2] = {2, 2};
    static const int64_t sp12[2] = {1, 2}, sp21[2] = {2, 1};
    /* opset 11 split attribute [1,2]: [0 3] and [1 2 4 5] */
    static const double p1[2] = {0, 3}, p2[4] = {1, 2, 4, 5};
    tc_begin(&c, "Split", 11);
    tc_in_f(&c, "x", 2, s23, IOTA);
    tc_out(&c, "y0");
    tc_out(&c, "y1");
    finn_node_set_attr_i(c.n, "axis", 1, &c.err);
    tc_ints(&c, "split", 2, sp12);
    RUN_OK(&c);
    CHECK_OUT(&c, "y0", o21, p1);
    CHECK_OUT(&c, "y1", o22, p2);
    tc_end(&c);
    /* opset 13 split input [2,1]: [0 1 3 4] and [2 5] */
    static const double q1[4] = {0, 1, 3, 4}, q2[2] = {2, 5};
    tc_begin(&c, "Split", 13);
    tc_in_f(&c, "x", 2, s23, IOTA);
    tc_init_i64(&c, "split", 2, sp21);
    tc_out(&c, "y0");
    tc_out(&c, "y1");
    finn_node_set_attr_i(c.n, "axis", -1, &c.err);
    RUN_OK(&c);
    CHECK_OUT(&c, "y0", o22, q1);
    CHECK_OUT(&c, "y1", o21, q2);
    tc_end(&c);
    /* no split: equal parts by number of outputs: [0 3], [1 4], [2 5] */
    static const double e0[2] = {0, 3}, e1[2] = {1, 4}, e2[2] = {2, 5};
    tc_begin(&c, "Split", 13);
    tc_in_f(&c, "x", 2, s23, IOTA);
    tc_out(&c, "y0");
    tc_out(&c, "y1");
    tc_out(&c, "y2");
    finn_node_set_attr_i(c.n, "axis", 1, &c.err);
    RUN_OK(&c);
    CHECK_OUT(&c, "y0", o21, e0);
    CHECK_OUT(&c, "y1", o21, e1);
    CHECK_OUT(&c, "y2", o21, e2);
    tc_end(&c);
    /* opset 18 num_outputs 2 on dim 3: ceil parts 2 and 1 */
    tc_begin(&c, "Split", 18);
    tc_in_f(&c, "x", 2, s23, IOTA);
    tc_out(&c, "y0");
    tc_out(&c, "y1");
    finn_node_set_attr_i(c.n, "axis", 1, &c.err);
    finn_node_set_attr_i(c.n, "num_outputs", 2, &c.err);
    RUN_OK(&c);
    CHECK_OUT(&c, "y0", o22, q1);
    CHECK_OUT(&c, "y1", o21, q2);
    tc_end(&c);
    /* opset 13, 2 outputs for dim 3 without sizes: error */
    tc_begin(&c, "Split", 13);
    tc_in_f(&c, "x", 2, s23, IOTA);
    tc_out(&c, "y0");
    tc_out(&c, "y1");
    finn_node_set_attr_i(c.n, "axis", 1, &c.err);
    CHECK(tc_run(&c) != 0);
    CHECK_CONTAINS(c.err.msg, "does not split equally");
    tc_end(&c);
}

/* ---- Slice / Gather ---------------------------------------------------------- */
static void test_slice(void)
{
    tcase c;
    static const int64_t s24[2] = {2, 4}, o23[2] = {2, 3}, o22[2] = {2, 2};
    /* x = [[0 1 2 3],[4 5 6 7]]; opset 1 attributes: axis 1 from 1 to 1000
     * (clamped to 4) -> [[1 2 3],[5 6 7]] */
    static const int64_t st[1] = {1}, en[1] = {1000}, ax[1] = {1};
    static const double w1[6] = {1, 2, 3, 5, 6, 7};
    tc_begin(&c, "Slice", 1);
    tc_in_f(&c, "x", 2, s24, IOTA);
    tc_out(&c, "y");
    tc_ints(&c, "starts", 1, st);
    tc_ints(&c, "ends", 1, en);
    tc_ints(&c, "axes", 1, ax);
    RUN_OK(&c);
    CHECK_OUT(&c, "y", o23, w1);
    tc_end(&c);

    /* opset 10 inputs: start -1 (-> 3), end INT64_MIN (-> clamped -1), step -2
     * on axis -1: columns 3, 1 -> [[3 1],[7 5]]; int8 data */
    static const int64_t st2[1] = {-1}, en2[1] = {INT64_MIN}, ax2[1] = {-1}, sp2[1] = {-2};
    static const double w2[4] = {3, 1, 7, 5};
    tc_begin(&c, "Slice", 10);
    tc_input(&c, "x", FINN_ELEM_INT8, 2, s24, IOTA);
    tc_init_i64(&c, "st", 1, st2);
    tc_init_i64(&c, "en", 1, en2);
    tc_init_i64(&c, "ax", 1, ax2);
    tc_init_i64(&c, "sp", 1, sp2);
    tc_out(&c, "y");
    RUN_OK(&c);
    CHECK_OUT(&c, "y", o22, w2);
    tc_end(&c);

    /* step -1 from 3 to 0 (exclusive) on axis 1, rows 1..: starts (1,3), ends
     * (INT64_MAX, 0): row 1, columns 3 2 1 -> [[7 6 5]]; axes omitted */
    static const int64_t st3[2] = {1, 3}, en3[2] = {INT64_MAX, 0}, sp3[2] = {1, -1};
    static const int64_t o13[2] = {1, 3};
    static const double w3[3] = {7, 6, 5};
    tc_begin(&c, "Slice", 13);
    tc_in_f(&c, "x", 2, s24, IOTA);
    tc_init_i64(&c, "st", 2, st3);
    tc_init_i64(&c, "en", 2, en3);
    tc_skip(&c);
    tc_init_i64(&c, "sp", 2, sp3);
    tc_out(&c, "y");
    RUN_OK(&c);
    CHECK_OUT(&c, "y", o13, w3);
    tc_end(&c);

    /* empty result: start 3 > end 1 with step 1 -> (2, 0) */
    static const int64_t st4[1] = {3}, en4[1] = {1}, o20[2] = {2, 0};
    tc_begin(&c, "Slice", 13);
    tc_in_f(&c, "x", 2, s24, IOTA);
    tc_init_i64(&c, "st", 1, st4);
    tc_init_i64(&c, "en", 1, en4);
    tc_init_i64(&c, "ax", 1, ax);
    tc_out(&c, "y");
    RUN_OK(&c);
    CHECK_OUT(&c, "y", o20, NULL);
    tc_end(&c);
}

static void test_gather(void)
{
    tcase c;
    /* data (3,2) [[1 2],[3 4],[5 6]], indices [-1, 0] axis 0 -> [[5 6],[1 2]] */
    static const int64_t s32[2] = {3, 2}, i2[1] = {2}, o22[2] = {2, 2};
    static const double d[6] = {1, 2, 3, 4, 5, 6}, idx[2] = {-1, 0}, w[4] = {5, 6, 1, 2};
    tc_begin(&c, "Gather", 13);
    tc_in_f(&c, "x", 2, s32, d);
    tc_init(&c, "i", FINN_ELEM_INT64, 1, i2, idx);
    tc_out(&c, "y");
    RUN_OK(&c);
    CHECK_OUT(&c, "y", o22, w);
    tc_end(&c);
    /* axis 1, int32 indices (2,1) [[1],[0]] -> shape (3,2,1): row r -> [x[r][1], x[r][0]] */
    static const int64_t i21[2] = {2, 1}, o321[3] = {3, 2, 1};
    static const double idx2[2] = {1, 0}, w2[6] = {2, 1, 4, 3, 6, 5};
    tc_begin(&c, "Gather", 13);
    tc_in_f(&c, "x", 2, s32, d);
    tc_init(&c, "i", FINN_ELEM_INT32, 2, i21, idx2);
    tc_out(&c, "y");
    finn_node_set_attr_i(c.n, "axis", -1, &c.err);
    RUN_OK(&c);
    CHECK_OUT(&c, "y", o321, w2);
    tc_end(&c);
    /* scalar index 1 on axis 0 drops the axis: (2) [3 4] */
    static const double one[1] = {1}, w3[2] = {3, 4};
    static const int64_t o2[1] = {2};
    tc_begin(&c, "Gather", 13);
    tc_in_f(&c, "x", 2, s32, d);
    tc_init(&c, "i", FINN_ELEM_INT64, 0, NULL, one);
    tc_out(&c, "y");
    RUN_OK(&c);
    CHECK_OUT(&c, "y", o2, w3);
    tc_end(&c);
    /* index 3 is out of range for size 3 */
    static const double three[1] = {3};
    static const int64_t i1[1] = {1};
    tc_begin(&c, "Gather", 13);
    tc_in_f(&c, "x", 2, s32, d);
    tc_init(&c, "i", FINN_ELEM_INT64, 1, i1, three);
    tc_out(&c, "y");
    CHECK(tc_run(&c) != 0);
    CHECK_CONTAINS(c.err.msg, "index 3 out of range");
    tc_end(&c);
}

/* ---- Pad --------------------------------------------------------------------- */
static void pad11(const char *mode, const int64_t *pads, const double *cval, int64_t opset,
                  int64_t olen, const double *want, int line)
{
    tcase c;
    static const int64_t s13[2] = {1, 3}, one[1] = {1};
    static const double x[3] = {1, 2, 3};
    int64_t os[2] = {1, olen};
    tc_begin(&c, "Pad", opset);
    tc_in_f(&c, "x", 2, s13, x);
    tc_init_i64(&c, "p", 4, pads);
    if (cval)
        tc_init(&c, "v", FINN_ELEM_FLOAT, 0, one, cval);
    tc_out(&c, "y");
    finn_node_set_attr_s(c.n, "mode", mode, &c.err);
    RUN_OK(&c);
    check_out(&c, "y", 2, os, want, line);
    tc_end(&c);
}

static void test_pad(void)
{
    tcase c;
    /* opset 2 attributes: x = [[1 2],[3 4]], pads (0,1,1,0) = dim0 +0/+1,
     * dim1 +1/+0, value 9 -> [[9 1 2],[9 3 4],[9 9 9]] */
    static const int64_t s22[2] = {2, 2}, p[4] = {0, 1, 1, 0}, o33[2] = {3, 3};
    static const double x[4] = {1, 2, 3, 4}, w[9] = {9, 1, 2, 9, 3, 4, 9, 9, 9};
    tc_begin(&c, "Pad", 2);
    tc_in_f(&c, "x", 2, s22, x);
    tc_out(&c, "y");
    tc_ints(&c, "pads", 4, p);
    finn_node_set_attr_f(c.n, "value", 9.0f, &c.err);
    RUN_OK(&c);
    CHECK_OUT(&c, "y", o33, w);
    tc_end(&c);

    /* opset 11 inputs on x = [1 2 3] (shape 1x3), 2 on each side of dim 1:
     * reflect (mirror without the edge): 3 2 | 1 2 3 | 2 1
     * edge: 1 1 | 1 2 3 | 3 3;  wrap (opset 19): 2 3 | 1 2 3 | 1 2 */
    static const int64_t p2[4] = {0, 2, 0, 2};
    static const double refl[7] = {3, 2, 1, 2, 3, 2, 1}, edge[7] = {1, 1, 1, 2, 3, 3, 3};
    static const double wrap[7] = {2, 3, 1, 2, 3, 1, 2};
    pad11("reflect", p2, NULL, 11, 7, refl, __LINE__);
    pad11("edge", p2, NULL, 13, 7, edge, __LINE__);
    pad11("wrap", p2, NULL, 19, 7, wrap, __LINE__);
    /* constant_value input 5: 5 | 1 2 3 | 5 */
    static const int64_t p3[4] = {0, 1, 0, 1};
    static const double five[1] = {5}, cw[5] = {5, 1, 2, 3, 5};
    pad11("constant", p3, five, 11, 5, cw, __LINE__);
    /* negative pads crop: begin -1, end +1 (zeros) -> 2 3 0 */
    static const int64_t p4[4] = {0, -1, 0, 1};
    static const double crop[3] = {2, 3, 0};
    pad11("constant", p4, NULL, 13, 3, crop, __LINE__);
}

/* ---- Resize / Upsample --------------------------------------------------------- */
static void resize_case(int64_t opset, const char *mode, const char *coord, const char *nearest,
                        const double *x, const double *scales, const int64_t *sizes, int ndim,
                        const int64_t *xs, const int64_t *os, const double *want, int line)
{
    tcase c;
    int64_t n4[1] = {ndim};
    tc_begin(&c, "Resize", opset);
    tc_in_f(&c, "x", ndim, xs, x);
    if (opset >= 11)
        tc_skip(&c); /* roi */
    if (scales)
        tc_init(&c, "scales", FINN_ELEM_FLOAT, 1, n4, scales);
    else
        tc_skip(&c);
    if (sizes)
        tc_init_i64(&c, "sizes", (size_t)ndim, sizes);
    tc_out(&c, "y");
    finn_node_set_attr_s(c.n, "mode", mode, &c.err);
    if (coord)
        finn_node_set_attr_s(c.n, "coordinate_transformation_mode", coord, &c.err);
    if (nearest)
        finn_node_set_attr_s(c.n, "nearest_mode", nearest, &c.err);
    RUN_OK(&c);
    check_out(&c, "y", ndim, os, want, line);
    tc_end(&c);
}

static void test_resize(void)
{
    static const double x[4] = {1, 2, 3, 4}, sc2[4] = {1, 1, 2, 2};
    static const int64_t o44[4] = {1, 1, 4, 4}, sz44[4] = {1, 1, 4, 4};
    /* nearest x2: asymmetric/floor maps o -> floor(o/2): 0 0 1 1 */
    static const double x2[16] = {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4};
    resize_case(13, "nearest", "asymmetric", "floor", x, sc2, NULL, 4, S1122, o44, x2, __LINE__);
    /* half_pixel/round_prefer_floor: (o+0.5)/2-0.5 = -0.25 0.25 0.75 1.25 -> 0 0 1 1 */
    resize_case(13, "nearest", NULL, NULL, x, sc2, NULL, 4, S1122, o44, x2, __LINE__);
    /* the same from sizes (scales omitted) */
    resize_case(13, "nearest", "asymmetric", "floor", x, NULL, sz44, 4, S1122, o44, x2, __LINE__);
    /* opset 10: X, scales; asymmetric + truncation */
    resize_case(10, "nearest", NULL, NULL, x, sc2, NULL, 4, S1122, o44, x2, __LINE__);

    /* 1x2 [10 20] scaled by 1.5 on the last dim -> 3 outputs (trunc(1.5*2)):
     *   half_pixel: (o+0.5)/1.5-0.5 = -0.167, 0.5, 1.167
     *     round_prefer_floor -> 0 0 1 = [10 10 20]; round_prefer_ceil -> 0 1 1 = [10 20 20]
     *   asymmetric: o/1.5 = 0, 0.667, 1.333: floor -> [10 10 20], round -> [10 20 20] */
    static const double v[2] = {10, 20}, sc15[2] = {1, 1.5};
    static const int64_t s12[2] = {1, 2}, o13[2] = {1, 3};
    static const double aab[3] = {10, 10, 20}, abb[3] = {10, 20, 20};
    resize_case(13, "nearest", "half_pixel", "round_prefer_floor", v, sc15, NULL, 2, s12, o13,
                aab, __LINE__);
    resize_case(13, "nearest", "half_pixel", "round_prefer_ceil", v, sc15, NULL, 2, s12, o13,
                abb, __LINE__);
    resize_case(13, "nearest", "asymmetric", "floor", v, sc15, NULL, 2, s12, o13, aab, __LINE__);
    resize_case(13, "nearest", "asymmetric", "round_prefer_floor", v, sc15, NULL, 2, s12, o13, abb,
                __LINE__);

    /* linear on [[0 4],[8 12]] x2:
     *   asymmetric: x = o/2 = 0, .5, 1, 1.5 (clamped to 1) -> a row [0 4] gives
     *   [0 2 4 4]; rows likewise: [0 2 4 4],[4 6 8 8],[8 10 12 12],[8 10 12 12] */
    static const double q[4] = {0, 4, 8, 12};
    static const double la[16] = {0, 2, 4, 4, 4, 6, 8, 8, 8, 10, 12, 12, 8, 10, 12, 12};
    resize_case(13, "linear", "asymmetric", NULL, q, sc2, NULL, 4, S1122, o44, la, __LINE__);
    /*   half_pixel: x = -0.25 (->0), 0.25, 0.75, 1.25 (->1): a row [0 4] gives
     *   [0 1 3 4]; rows: r0 = [0 1 3 4], r3 = [8 9 11 12],
     *   r1 = .75 r0 + .25 r3 = [2 3 5 6], r2 = .25 r0 + .75 r3 = [6 7 9 10] */
    static const double lh[16] = {0, 1, 3, 4, 2, 3, 5, 6, 6, 7, 9, 10, 8, 9, 11, 12};
    resize_case(13, "linear", "half_pixel", NULL, q, sc2, NULL, 4, S1122, o44, lh, __LINE__);
    /*   align_corners to 3x3: x = o * (2-1)/(3-1) = 0, .5, 1 -> corners and means */
    static const int64_t sz33[4] = {1, 1, 3, 3}, o33[4] = {1, 1, 3, 3};
    static const double lc[9] = {0, 2, 4, 4, 6, 8, 8, 10, 12};
    resize_case(13, "linear", "align_corners", NULL, q, NULL, sz33, 4, S1122, o33, lc, __LINE__);

    /* cubic is reported as unsupported */
    tcase c;
    tc_begin(&c, "Resize", 13);
    tc_in_f(&c, "x", 4, S1122, x);
    tc_skip(&c);
    static const int64_t n4[1] = {4};
    tc_init(&c, "scales", FINN_ELEM_FLOAT, 1, n4, sc2);
    tc_out(&c, "y");
    finn_node_set_attr_s(c.n, "mode", "cubic", &c.err);
    CHECK(tc_run(&c) != 0);
    CHECK_CONTAINS(c.err.msg, "mode 'cubic' is not supported");
    tc_end(&c);
}

static void test_upsample(void)
{
    tcase c;
    /* opset 9 scales input (1,1,2,3): rows doubled, columns tripled
     * (the ONNX Upsample example) */
    static const double x[4] = {1, 2, 3, 4}, sc[4] = {1, 1, 2, 3};
    static const double w[24] = {1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2,
                                 3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4};
    static const int64_t n4[1] = {4}, o[4] = {1, 1, 4, 6};
    tc_begin(&c, "Upsample", 9);
    tc_in_f(&c, "x", 4, S1122, x);
    tc_init(&c, "s", FINN_ELEM_FLOAT, 1, n4, sc);
    tc_out(&c, "y");
    RUN_OK(&c);
    CHECK_OUT(&c, "y", o, w);
    tc_end(&c);
    /* opset 7 scales attribute */
    static const float scf[4] = {1, 1, 2, 3};
    tc_begin(&c, "Upsample", 7);
    tc_in_f(&c, "x", 4, S1122, x);
    tc_out(&c, "y");
    finn_node_set_attr_floats(c.n, "scales", scf, 4, &c.err);
    RUN_OK(&c);
    CHECK_OUT(&c, "y", o, w);
    tc_end(&c);
}

/* ---- DepthToSpace / SpaceToDepth --------------------------------------------- */
static void d2s_case(const char *op, const char *mode, const int64_t *xs, const double *x,
                     const int64_t *os, const double *want, int line)
{
    tcase c;
    tc_begin(&c, op, 13);
    tc_in_f(&c, "x", 4, xs, x);
    tc_out(&c, "y");
    finn_node_set_attr_i(c.n, "blocksize", 2, &c.err);
    if (mode)
        finn_node_set_attr_s(c.n, "mode", mode, &c.err);
    RUN_OK(&c);
    check_out(&c, "y", 4, os, want, line);
    tc_end(&c);
}

static void test_depth_space(void)
{
    /* (1,8,1,1) = 0..7, blocksize 2 -> (1,2,2,2)
     * DCR: y[c][i][j] = x[(2i + j)*2 + c]: c0 = 0 2 4 6, c1 = 1 3 5 7
     * CRD: y[c][i][j] = x[c*4 + 2i + j]:   c0 = 0 1 2 3, c1 = 4 5 6 7 */
    static const int64_t s8[4] = {1, 8, 1, 1}, o[4] = {1, 2, 2, 2};
    static const double dcr[8] = {0, 2, 4, 6, 1, 3, 5, 7};
    d2s_case("DepthToSpace", NULL, s8, IOTA, o, dcr, __LINE__);
    d2s_case("DepthToSpace", "DCR", s8, IOTA, o, dcr, __LINE__);
    d2s_case("DepthToSpace", "CRD", s8, IOTA, o, IOTA, __LINE__);
    /* SpaceToDepth of (1,2,2,2) = 0..7: channel (2i + j)*2 + c = x[c][i][j]:
     * 0 4 1 5 2 6 3 7; DepthToSpace DCR maps it back to 0..7 */
    static const double s2d[8] = {0, 4, 1, 5, 2, 6, 3, 7};
    d2s_case("SpaceToDepth", NULL, o, IOTA, s8, s2d, __LINE__);
    d2s_case("DepthToSpace", "DCR", s8, s2d, o, IOTA, __LINE__);
}

/* ---- inference needs input shapes --------------------------------------------- */
static void test_unknown_shape(void)
{
    finn_error err;
    finn_model *m = finn_model_new("g", &err);
    finn_node *n = finn_node_new("Flatten", "", "f", &err);
    finn_node_add_input(n, "x", &err);
    finn_node_add_output(n, "y", &err);
    finn_model_insert_node(m, 0, n, &err);
    const finn_op *op = finn_registry_op(REG, "", "Flatten");
    CHECK(op && op->infer_shapes(m, n, &err) != 0);
    CHECK_CONTAINS(err.msg, "node 'f' (Flatten)");
    CHECK_CONTAINS(err.msg, "shape of input 'x' is unknown");
    finn_model_free(m);
}

int main(void)
{
    finn_error err;
    char path[4096];
    snprintf(path, sizeof path, "%s/onnx_nn.so", test_env("FINN_PLUGIN_DIR", "."));
    REG = finn_registry_new(&err);
    if (!REG || finn_plugin_load(REG, path, &err)) {
        fprintf(stderr, "cannot load %s: %s\n", path, err.msg);
        return 1;
    }
    CHECK(finn_registry_op(REG, "ai.onnx", "Conv") != NULL);
    test_conv_basic();
    test_conv_group_dilation();
    test_conv_autopad_1d();
    test_conv_numpy();
    test_conv_transpose();
    test_maxpool();
    test_avgpool();
    test_global_pools();
    test_reshape_flatten();
    test_transpose();
    test_squeeze_unsqueeze();
    test_expand();
    test_concat_split();
    test_slice();
    test_gather();
    test_pad();
    test_resize();
    test_upsample();
    test_depth_space();
    test_unknown_shape();
    finn_registry_free(REG);
    return test_done();
}
