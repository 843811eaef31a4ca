/* test_model.c - the graph IR: building, querying, rewriting, and ONNX
 * round trips of every corpus model. */
#include "finn/file.h"
#include "finn/model.h"
#include "test.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

static finn_error err;

/* in(1,4) -> Relu -> mid -> MatMul(W 4x3) -> out(1,3) */
static finn_model *small_model(void)
{
    finn_model *m = finn_model_new("g", &err);
    int64_t s_in[2] = {1, 4}, s_w[2] = {4, 3}, s_out[2] = {1, 3};
    m->inputs = calloc(1, sizeof(char *));
    m->inputs[0] = strdup("in");
    m->n_inputs = 1;
    m->outputs = calloc(1, sizeof(char *));
    m->outputs[0] = strdup("out");
    m->n_outputs = 1;
    CHECK_EQ_INT(finn_model_set_shape(m, "in", FINN_ELEM_FLOAT, 2, s_in, &err), 0);
    CHECK_EQ_INT(finn_model_set_shape(m, "out", FINN_ELEM_FLOAT, 2, s_out, &err), 0);
    finn_tensor *w = finn_tensor_new(FINN_ELEM_FLOAT, 2, s_w, &err);
    for (size_t i = 0; i < 12; i++)
        ((float *)w->data)[i] = (float)i - 5.5f;
    CHECK_EQ_INT(finn_model_set_initializer(m, "W", w, &err), 0);
    finn_node *relu = finn_node_new("Relu", "", "Relu_0", &err);
    finn_node_add_input(relu, "in", &err);
    finn_node_add_output(relu, "mid", &err);
    finn_node *mm = finn_node_new("MatMul", "", "MatMul_0", &err);
    finn_node_add_input(mm, "mid", &err);
    finn_node_add_input(mm, "W", &err);
    finn_node_add_output(mm, "out", &err);
    finn_model_insert_node(m, 0, relu, &err);
    finn_model_insert_node(m, 1, mm, &err);
    finn_model_set_opset(m, "", 11, &err);
    return m;
}

static void *serialize(const finn_model *m, size_t *len)
{
    void *buf = NULL;
    CHECK_EQ_INT(finn_model_serialize(m, &buf, len, &err), 0);
    return buf;
}

static void test_queries(void)
{
    finn_model *m = small_model();
    finn_node *relu = m->nodes[0], *mm = m->nodes[1];
    CHECK(finn_model_producer(m, "mid") == relu);
    CHECK(finn_model_producer(m, "in") == NULL);
    CHECK(finn_model_single_consumer(m, "mid") == mm);
    finn_node *out[2];
    CHECK_EQ_INT(finn_model_consumers(m, "W", out, 2), 1);
    CHECK(out[0] == mm);
    CHECK(finn_model_find_node(m, "MatMul_0") == mm);
    CHECK_EQ_INT(finn_model_node_index(m, mm), 1);
    CHECK(finn_model_is_input(m, "in") && !finn_model_is_input(m, "out"));
    CHECK(finn_model_is_output(m, "out"));
    char *nm = finn_model_unique_node_name(m, "Relu");
    CHECK_STR(nm, "Relu_1");
    free(nm);
    nm = finn_model_unique_tensor_name(m, "mid");
    CHECK_STR(nm, "mid_0");
    free(nm);
    /* a name handed out is not handed out again, even before it is used */
    nm = finn_model_unique_tensor_name(m, "mid");
    CHECK_STR(nm, "mid_1");
    free(nm);
    nm = finn_model_unique_tensor_name(m, "other");
    CHECK_STR(nm, "other_0");
    free(nm);
    const finn_value *w = finn_model_value(m, "W");
    CHECK(w && w->init && w->ndim == 2 && w->shape[0] == 4 && w->shape[1] == 3);
    CHECK_EQ_INT(finn_model_opset(m, "ai.onnx"), 11);
    CHECK_EQ_INT(finn_model_opset(m, "qonnx.custom_op.general"), -1);
    finn_model_free(m);
}

static void test_annotations(void)
{
    finn_model *m = small_model();
    char buf[FINN_DT_NAME_MAX];
    CHECK_STR(finn_dt_name(finn_model_datatype(m, "in"), buf, sizeof buf), "FLOAT32");
    CHECK(!finn_model_has_datatype(m, "in"));
    CHECK_EQ_INT(finn_model_set_datatype(m, "in", finn_dt_uint(8), &err), 0);
    CHECK_STR(finn_model_annotation(m, "in", "finn_datatype"), "UINT8");
    CHECK_EQ_INT(finn_model_datatype(m, "in").bits, 8);
    CHECK_EQ_INT(finn_model_set_layout(m, "in", "NC", &err), 0);
    CHECK_STR(finn_model_annotation(m, "in", "tensor_layout"), "['N', 'C']");
    char lay[16];
    CHECK_STR(finn_model_layout(m, "in", lay, sizeof lay), "NC");
    finn_model_clear_datatype(m, "in");
    CHECK(!finn_model_has_datatype(m, "in"));
    CHECK_STR(finn_model_layout(m, "in", lay, sizeof lay), "NC");
    /* survives a save/load */
    finn_model_set_datatype(m, "out", finn_dt_int(4), &err);
    size_t len;
    void *buf1 = serialize(m, &len);
    finn_model *r = NULL;
    CHECK_EQ_INT(finn_model_parse(buf1, len, "mem", &r, &err), 0);
    CHECK_STR(finn_model_annotation(r, "out", "finn_datatype"), "INT4");
    CHECK_STR(finn_model_annotation(r, "in", "tensor_layout"), "['N', 'C']");
    free(buf1);
    finn_model_free(r);
    finn_model_free(m);
}

static void test_attrs(void)
{
    finn_node *n = finn_node_new("MultiThreshold", "qonnx.custom_op.general", "mt", &err);
    CHECK_EQ_INT(finn_node_set_attr_s(n, "out_dtype", "UINT4", &err), 0);
    CHECK_EQ_INT(finn_node_set_attr_f(n, "out_scale", 2.5f, &err), 0);
    CHECK_EQ_INT(finn_node_set_attr_i(n, "k", 7, &err), 0);
    int64_t ints[3] = {1, -2, 3};
    CHECK_EQ_INT(finn_node_set_attr_ints(n, "pads", ints, 3, &err), 0);
    const char *strs[2] = {"a", "bc"};
    CHECK_EQ_INT(finn_node_set_attr_strings(n, "names", strs, 2, &err), 0);
    CHECK_STR(finn_node_attr_s(n, "out_dtype", "x"), "UINT4");
    CHECK_EQ_DBL(finn_node_attr_f(n, "out_scale", 0), 2.5);
    CHECK_EQ_INT(finn_node_attr_i(n, "k", 0), 7);
    CHECK_EQ_INT(finn_node_attr_i(n, "missing", -9), -9);
    CHECK_EQ_INT(finn_node_attr_i(n, "out_dtype", -9), -9); /* wrong type -> default */
    const int64_t *iv;
    CHECK_EQ_INT(finn_node_attr_ints(n, "pads", &iv), 3);
    CHECK_EQ_INT(iv[1], -2);
    /* replacing keeps the position */
    CHECK_EQ_INT(finn_node_set_attr_i(n, "out_scale", 3, &err), 0);
    CHECK_STR(n->attrs[1].name, "out_scale");
    CHECK_EQ_INT(n->attrs[1].type, FINN_ATTR_INT);
    finn_node_remove_attr(n, "k");
    CHECK_EQ_INT(n->n_attrs, 4);
    CHECK_STR(n->attrs[2].name, "pads");
    finn_node *c = finn_node_clone(n, &err);
    CHECK_STR(c->attrs[3].strings[1], "bc");
    finn_node_free(c);
    finn_node_free(n);
}

static void test_rewrites(void)
{
    finn_model *m = small_model();
    /* rename reaches node slots, graph io and the value */
    CHECK_EQ_INT(finn_model_rename_tensor(m, "in", "x", &err), 0);
    CHECK_STR(m->inputs[0], "x");
    CHECK_STR(m->nodes[0]->inputs[0], "x");
    CHECK(finn_model_value(m, "x") != NULL && finn_model_value(m, "in") == NULL);
    CHECK_EQ_INT(finn_model_rename_tensor(m, "x", "W", &err), -1);
    CHECK_CONTAINS(err.msg, "name in use");
    /* toposort puts a reversed graph back */
    finn_node *a = m->nodes[0];
    m->nodes[0] = m->nodes[1];
    m->nodes[1] = a;
    CHECK_EQ_INT(finn_model_toposort(m, &err), 0);
    CHECK_STR(m->nodes[0]->op_type, "Relu");
    CHECK_STR(m->nodes[1]->op_type, "MatMul");
    /* insert/remove/detach */
    finn_node *id = finn_node_new("Identity", "", "Id", &err);
    finn_node_add_input(id, "out", &err);
    finn_node_add_output(id, "out2", &err);
    CHECK_EQ_INT(finn_model_insert_node(m, 99, id, &err), 0);
    CHECK(m->nodes[2] == id);
    finn_model_detach_node(m, id);
    CHECK_EQ_INT(m->n_nodes, 2);
    finn_node_free(id);
    /* check: dangling input names node and tensor */
    CHECK_EQ_INT(finn_model_check(m, &err), 0);
    finn_node_set_input(m->nodes[1], 0, "ghost", &err);
    CHECK_EQ_INT(finn_model_check(m, &err), -1);
    CHECK_STR(err.msg, "node 'MatMul_0' (MatMul): input 0 'ghost' is not produced by any node, "
                       "not an initializer and not a graph input");
    /* a cycle is refused */
    finn_node_set_input(m->nodes[1], 0, "mid", &err);
    finn_node_set_input(m->nodes[0], 0, "out", &err);
    CHECK_EQ_INT(finn_model_toposort(m, &err), -1);
    CHECK_CONTAINS(err.msg, "cycle");
    finn_model_free(m);
}

static void test_domains_and_opsets(void)
{
    finn_model *m = small_model();
    finn_node *mt = finn_node_new("MultiThreshold", "finn", "mt", &err);
    finn_node_add_input(mt, "out", &err);
    finn_node_add_output(mt, "o2", &err);
    finn_model_insert_node(m, 2, mt, &err);
    finn_node *hw = finn_node_new("MVAU", "finn", "hw", &err);
    finn_node_set_attr_s(hw, "backend", "fpgadataflow", &err);
    finn_node_add_input(hw, "o2", &err);
    finn_node_add_output(hw, "o3", &err);
    finn_model_insert_node(m, 3, hw, &err);
    CHECK_EQ_INT(finn_model_repair_domains(m), 2);
    CHECK_STR(mt->domain, "qonnx.custom_op.general");
    CHECK_STR(hw->domain, "finn.custom_op.fpgadataflow");
    /* the writer imports every used domain */
    size_t len;
    void *buf = serialize(m, &len);
    finn_model *r = NULL;
    CHECK_EQ_INT(finn_model_parse(buf, len, "mem", &r, &err), 0);
    CHECK_EQ_INT(r->n_opsets, 3);
    CHECK_EQ_INT(finn_model_opset(r, ""), 11);
    CHECK_EQ_INT(finn_model_opset(r, "qonnx.custom_op.general"), 1);
    CHECK_EQ_INT(finn_model_opset(r, "finn.custom_op.fpgadataflow"), 1);
    /* serialize is a fixed point: parse + serialize gives the same bytes */
    size_t len2;
    void *buf2 = serialize(r, &len2);
    CHECK_EQ_INT(len2, len);
    CHECK(len2 == len && memcmp(buf, buf2, len) == 0);
    /* a clone serializes identically */
    finn_model *c = finn_model_clone(r, &err);
    size_t len3;
    void *buf3 = serialize(c, &len3);
    CHECK(len3 == len && memcmp(buf, buf3, len) == 0);
    free(buf);
    free(buf2);
    free(buf3);
    finn_model_free(c);
    finn_model_free(r);
    finn_model_free(m);
}

/* ---- hand-encoded protobuf, for encodings finn-run never writes ---------- */

typedef struct pb {
    unsigned char b[512];
    size_t n;
} pb;

static void pb_byte(pb *p, unsigned v) { p->b[p->n++] = (unsigned char)v; }
static void pb_varint(pb *p, uint64_t v)
{
    do {
        pb_byte(p, (unsigned)((v & 0x7f) | (v > 0x7f ? 0x80 : 0)));
        v >>= 7;
    } while (v);
}
static void pb_int(pb *p, unsigned field, uint64_t v)
{
    pb_varint(p, field << 3);
    pb_varint(p, v);
}
static void pb_bytes(pb *p, unsigned field, const void *data, size_t len)
{
    pb_varint(p, field << 3 | 2);
    pb_varint(p, len);
    memcpy(p->b + p->n, data, len);
    p->n += len;
}
static void pb_str(pb *p, unsigned field, const char *s) { pb_bytes(p, field, s, strlen(s)); }
static void pb_msg(pb *p, unsigned field, const pb *m) { pb_bytes(p, field, m->b, m->n); }

/* TensorProto W: float[2], raw_data given twice (protobuf: the last wins). */
static void pb_weight(pb *t)
{
    const float first[2] = {1.0f, 2.0f}, last[2] = {3.0f, 4.0f};
    pb_int(t, 1, 2);  /* dims */
    pb_int(t, 2, 1);  /* data_type FLOAT */
    pb_str(t, 8, "W"); /* name */
    pb_bytes(t, 9, first, sizeof first);
    pb_bytes(t, 9, last, sizeof last);
}

/* Identity(W) -> y, y the graph output. */
static void pb_graph_rest(pb *g)
{
    pb node = {0}, out = {0};
    pb_str(&node, 1, "W");
    pb_str(&node, 2, "y");
    pb_str(&node, 3, "Identity_0");
    pb_str(&node, 4, "Identity");
    pb_msg(g, 1, &node);
    pb_str(&out, 1, "y");
    pb_msg(g, 12, &out);
}

static void pb_model_head(pb *m)
{
    pb opset = {0};
    pb_int(m, 1, 7); /* ir_version */
    pb_int(&opset, 2, 11);
    pb_msg(m, 8, &opset);
}

static void check_weight(const finn_model *r, float a, float b)
{
    const finn_tensor *w = r ? finn_model_initializer(r, "W") : NULL;
    CHECK(w && finn_tensor_numel(w) == 2);
    if (w && finn_tensor_numel(w) == 2) {
        CHECK(((float *)w->data)[0] == a);
        CHECK(((float *)w->data)[1] == b);
    }
}

/* The loader cuts raw_data out before protobuf-c unpacks a model
 * (core/src/onnx_strip.c): protobuf's rules still hold for encodings other
 * writers produce, and malformed bytes are still refused. */
static void test_wire_edge_cases(void)
{
    /* raw_data twice: the last one */
    pb t = {0}, g = {0}, m = {0};
    pb_weight(&t);
    pb_msg(&g, 5, &t);
    pb_graph_rest(&g);
    pb_model_head(&m);
    pb_msg(&m, 7, &g);
    finn_model *r = NULL;
    CHECK_EQ_INT(finn_model_parse(m.b, m.n, "twice.onnx", &r, &err), 0);
    check_weight(r, 3.0f, 4.0f);
    CHECK_EQ_INT(r ? (long long)r->n_nodes : -1, 1);
    finn_model_free(r);

    /* the graph field twice: protobuf merges the two messages */
    pb g1 = {0}, g2 = {0}, m2 = {0};
    pb_msg(&g1, 5, &t);
    pb_graph_rest(&g2);
    pb_model_head(&m2);
    pb_msg(&m2, 7, &g1);
    pb_msg(&m2, 7, &g2);
    r = NULL;
    CHECK_EQ_INT(finn_model_parse(m2.b, m2.n, "merged.onnx", &r, &err), 0);
    check_weight(r, 3.0f, 4.0f);
    CHECK_EQ_INT(r ? (long long)r->n_nodes : -1, 1);
    finn_model_free(r);

    /* cut inside the weights: refused, nothing returned */
    r = (finn_model *)1;
    CHECK_EQ_INT(finn_model_parse(m.b, m.n - 20, "cut.onnx", &r, &err), -1);
    CHECK(r == NULL);
    CHECK_CONTAINS(err.msg, "cut.onnx: not a valid ONNX model");

    /* a saved model reloads with the same weights and saves to the same bytes */
    finn_model *a = small_model();
    size_t la, lb;
    void *ba = serialize(a, &la);
    r = NULL;
    CHECK_EQ_INT(finn_model_parse(ba, la, "mem", &r, &err), 0);
    void *bb = r ? serialize(r, &lb) : NULL;
    CHECK(bb && la == lb && memcmp(ba, bb, la) == 0);
    CHECK(r && !memcmp(finn_model_initializer(r, "W")->data, finn_model_initializer(a, "W")->data,
                       12 * sizeof(float)));
    free(ba);
    free(bb);
    finn_model_free(r);
    finn_model_free(a);
}

static void test_bad_bytes(void)
{
    finn_model *m = small_model();
    size_t len;
    void *buf = serialize(m, &len);
    finn_model *r = (finn_model *)1;
    CHECK_EQ_INT(finn_model_parse(buf, len / 2, "half.onnx", &r, &err), -1);
    CHECK(r == NULL);
    CHECK_EQ_INT(err.code, FINN_ERR_PARSE);
    CHECK_CONTAINS(err.msg, "half.onnx: not ");
    const char *text = "hello, I am not a model\n";
    CHECK_EQ_INT(finn_model_parse(text, strlen(text), "text.onnx", &r, &err), -1);
    CHECK_CONTAINS(err.msg, "text.onnx: not ");
    CHECK_EQ_INT(finn_model_load("/nonexistent/x.onnx", &r, &err), -1);
    CHECK_CONTAINS(err.msg, "/nonexistent/x.onnx");
    free(buf);
    finn_model_free(m);
}

/* Load, save, reload: the reloaded model serializes to the same bytes, and
 * (with python3-onnx) the saved file equals the original field by field
 * and passes the checker. */
static void roundtrip_corpus(const char *shared)
{
    char *list = NULL;
    char cmd[12288];
    int st;
    snprintf(cmd, sizeof cmd, "find %s/corpus -name '*.onnx' | sort", shared);
    list = test_run(cmd, &st);
    int have_onnx = 0;
    char *py = test_run("/usr/bin/python3 -c 'import onnx' 2>&1", &st);
    have_onnx = st == 0;
    free(py);
    if (!have_onnx)
        printf("note: /usr/bin/python3 without onnx: field-by-field check skipped\n");
    int count = 0;
    for (char *line = strtok(list, "\n"); line; line = strtok(NULL, "\n")) {
        finn_model *m = NULL, *r = NULL;
        if (finn_model_load(line, &m, &err) != 0) {
            fprintf(stderr, "load %s: %s\n", line, err.msg);
            CHECK(0);
            continue;
        }
        count++;
        char out[4096];
        snprintf(out, sizeof out, "%s/rt_%d.onnx", test_tmpdir(), count);
        CHECK_EQ_INT(finn_model_save(m, out, &err), 0);
        CHECK_EQ_INT(finn_model_load(out, &r, &err), 0);
        size_t la, lb;
        void *a = serialize(m, &la), *b = r ? serialize(r, &lb) : NULL;
        CHECK(b && la == lb && memcmp(a, b, la) == 0);
        CHECK_EQ_INT(r ? r->n_nodes : 0, m->n_nodes);
        free(a);
        free(b);
        if (have_onnx) {
            snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s/tests/core/onnx_roundtrip.py %s %s",
                     test_env("FINN_SOURCE_DIR", "."), line, out);
            char *res = test_run(cmd, &st);
            if (st != 0)
                fprintf(stderr, "%s:\n%s", line, res);
            CHECK_CONTAINS(res, "roundtrip ok");
            free(res);
        }
        finn_model_free(m);
        finn_model_free(r);
    }
    CHECK(count >= 13);
    free(list);
}

/* finn_model_fingerprint changes with every kind of change a pass can make
 * (the streamline step skips clean-ups on it), and only then. */
static void test_fingerprint(void)
{
    finn_model *m = small_model();
    uint64_t f0 = finn_model_fingerprint(m);
    CHECK(finn_model_fingerprint(m) == f0);
    /* identity, not content: a deep copy holds other tensor objects */
    finn_model *c = finn_model_clone(m, &err);
    CHECK(c && finn_model_fingerprint(c) != f0);
    finn_model_free(c);

    CHECK_EQ_INT(finn_node_set_attr_i(m->nodes[1], "PE", 2, &err), 0);
    uint64_t f1 = finn_model_fingerprint(m);
    CHECK(f1 != f0);
    CHECK_EQ_INT(finn_node_set_attr_i(m->nodes[1], "PE", 4, &err), 0);
    uint64_t f2 = finn_model_fingerprint(m);
    CHECK(f2 != f1);

    CHECK_EQ_INT(finn_model_set_annotation(m, "mid", "finn_datatype", "UINT2", &err), 0);
    uint64_t f3 = finn_model_fingerprint(m);
    CHECK(f3 != f2);
    CHECK_EQ_INT(finn_model_set_annotation(m, "mid", "finn_datatype", "UINT3", &err), 0);
    uint64_t f4 = finn_model_fingerprint(m);
    CHECK(f4 != f3);

    /* the same bytes in a new tensor: still a change (init_serial), even
     * if the allocator hands out the old address again */
    finn_tensor *w = finn_tensor_copy(finn_model_initializer(m, "W"), &err);
    CHECK_EQ_INT(finn_model_set_initializer(m, "W", w, &err), 0);
    uint64_t f5 = finn_model_fingerprint(m);
    CHECK(f5 != f4);

    CHECK_EQ_INT(finn_model_rename_tensor(m, "mid", "mid2", &err), 0);
    uint64_t f6 = finn_model_fingerprint(m);
    CHECK(f6 != f5);
    CHECK_EQ_INT(finn_model_rename_tensor(m, "mid2", "mid", &err), 0);
    CHECK(finn_model_fingerprint(m) == f5);
    finn_model_free(m);
}

static ino_t inode_of(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? st.st_ino : 0;
}

/* Writing what a file already holds leaves the file alone (same inode: no
 * temp file was renamed over it); different bytes replace it. */
static void test_unchanged_outputs_kept(void)
{
    char path[512], txt[512];
    snprintf(path, sizeof path, "%s/kept.onnx", test_tmpdir());
    snprintf(txt, sizeof txt, "%s/kept.json", test_tmpdir());
    finn_model *m = small_model();
    CHECK_EQ_INT(finn_model_save(m, path, &err), 0);
    ino_t first = inode_of(path);
    CHECK(first != 0);
    CHECK_EQ_INT(finn_model_save(m, path, &err), 0);
    CHECK(inode_of(path) == first);
    ((float *)finn_model_initializer(m, "W")->data)[3] = 42.0f;
    CHECK_EQ_INT(finn_model_save(m, path, &err), 0);
    CHECK(inode_of(path) != first);
    finn_model *r = NULL;
    CHECK_EQ_INT(finn_model_load(path, &r, &err), 0);
    CHECK(r && ((float *)finn_model_initializer(r, "W")->data)[3] == 42.0f);
    finn_model_free(r);
    finn_model_free(m);

    CHECK_EQ_INT(finn_write_file(txt, "{}\n", 3, &err), 0);
    ino_t t1 = inode_of(txt);
    CHECK_EQ_INT(finn_write_file(txt, "{}\n", 3, &err), 0);
    CHECK(inode_of(txt) == t1);
    CHECK_EQ_INT(finn_write_file(txt, "[]\n", 3, &err), 0); /* same size, other bytes */
    CHECK(inode_of(txt) != t1);
    CHECK_EQ_INT(finn_write_file(txt, "[1]\n", 4, &err), 0);
    FILE *f = fopen(txt, "rb");
    char back[8] = {0};
    CHECK(f && fread(back, 1, sizeof back, f) == 4);
    if (f)
        fclose(f);
    CHECK_STR(back, "[1]\n");
}

int main(void)
{
    test_queries();
    test_unchanged_outputs_kept();
    test_fingerprint();
    test_annotations();
    test_attrs();
    test_rewrites();
    test_domains_and_opsets();
    test_bad_bytes();
    test_wire_edge_cases();
    const char *shared = test_shared_dir();
    if (shared)
        roundtrip_corpus(shared);
    else
        printf("note: no shared corpus, corpus round trip skipped\n");
    return test_done();
}
