/*
 * partition.c - CreateDataflowPartition (finn-frontend.md section 9): QONNX's
 * PartitionFromLambda with FINN's partition ids, then the GenericPartition
 * nodes retyped to StreamingDataflowPartition.
 *
 * Partition id of a node: -1 for GenericPartition/StreamingDataflowPartition
 * and nodes without backend "fpgadataflow", else its partition_id attribute
 * (0 when unset).  Each partition becomes a child model file
 * <dir>/partition_<id>.onnx; the parent gets one node standing for it.
 */
#include <finn/file.h>
#include "partition.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int64_t partition_of(const finn_node *n)
{
    if (!strcmp(n->op_type, "GenericPartition") ||
        !strcmp(n->op_type, "StreamingDataflowPartition"))
        return -1;
    const finn_attr *be = finn_node_attr(n, "backend");
    if (!be || be->type != FINN_ATTR_STRING || strcmp(be->s, "fpgadataflow"))
        return -1;
    return finn_node_attr_i(n, "partition_id", 0);
}

/* A growable list of tensor names (owned copies). */
typedef struct names {
    size_t n, cap;
    char **v;
} names;

static void names_free(names *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
}

static int names_add_unique(names *l, const char *s, finn_error *err)
{
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->v[i], s))
            return 0;
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 8;
        char **v = realloc(l->v, cap * sizeof *v);
        if (!v)
            return finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
        l->v = v, l->cap = cap;
    }
    if (!(l->v[l->n] = strdup(s)))
        return finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
    l->n++;
    return 0;
}

/* Entry and exit tensors of partition `id` (p: the partition's copy, m:
 * the whole current model) and where the partition starts in m. */
static int find_io(const finn_model *m, const finn_model *p, const int64_t *pid, int64_t id,
                   names *in, names *out, size_t *start, finn_error *err)
{
    finn_node **cons = malloc((m->n_nodes + 1) * sizeof *cons);
    if (!cons)
        return finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
    size_t k = 0; /* index in m of p's node, which keeps m's order */
    *start = 0;
    for (size_t i = 0; i < p->n_nodes; i++, k++) {
        const finn_node *n = p->nodes[i];
        while (pid[k] != id)
            k++;
        for (size_t j = 0; j < n->n_inputs; j++) {
            const char *t = n->inputs[j];
            if (!t[0] || finn_model_initializer(p, t) || finn_model_producer(p, t))
                continue;
            if (names_add_unique(in, t, err))
                goto fail;
            if (*start == 0) /* QONNX's test: a partition starting at 0 keeps looking */
                *start = k;
        }
        for (size_t j = 0; j < n->n_outputs; j++) {
            const char *t = n->outputs[j];
            bool leaves = finn_model_is_output(m, t);
            size_t nc = finn_model_consumers(m, t, cons, m->n_nodes);
            for (size_t c = 0; c < nc && !leaves; c++)
                leaves = partition_of(cons[c]) != id;
            if (leaves && names_add_unique(out, t, err))
                goto fail;
        }
    }
    free(cons);
    return 0;
fail:
    free(cons);
    return -1;
}

/* QONNX's legality check: nothing upstream of the partition's inputs may
 * belong to the partition (HW -> non-HW -> HW). */
static int check_no_cycle(const finn_model *m, const names *in, int64_t id, finn_error *err)
{
    bool *seen = calloc(m->n_nodes + 1, sizeof *seen);
    finn_node **stack = malloc((m->n_nodes + 1) * sizeof *stack);
    if (!seen || !stack) {
        free(seen), free(stack);
        return finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
    }
    size_t top = 0;
    int rc = 0;
    for (size_t i = 0; i < in->n; i++) {
        finn_node *p = finn_model_producer(m, in->v[i]);
        size_t ix = p ? finn_model_node_index(m, p) : SIZE_MAX;
        if (p && !seen[ix])
            seen[ix] = true, stack[top++] = p;
    }
    while (top && !rc) {
        finn_node *n = stack[--top];
        if (partition_of(n) == id) {
            rc = finn_error_set(err, FINN_ERR_INVALID,
                                "cycle-free graph violated: partition depends on itself (node "
                                "'%s' (%s) of partition %lld is reached again through nodes "
                                "outside it: the dataflow nodes must form one connected "
                                "region)",
                                n->name, n->op_type, (long long)id);
            break;
        }
        for (size_t j = 0; j < n->n_inputs; j++) {
            finn_node *p = n->inputs[j][0] ? finn_model_producer(m, n->inputs[j]) : NULL;
            size_t ix = p ? finn_model_node_index(m, p) : SIZE_MAX;
            if (p && !seen[ix])
                seen[ix] = true, stack[top++] = p;
        }
    }
    free(seen);
    free(stack);
    return rc;
}

static int set_names(char ***arr, size_t *count, const names *l, finn_error *err)
{
    char **v = calloc(l->n + 1, sizeof *v);
    if (!v)
        return finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < l->n; i++)
        if (!(v[i] = strdup(l->v[i]))) {
            for (size_t j = 0; j < i; j++)
                free(v[j]);
            free(v);
            return finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
        }
    for (size_t i = 0; i < *count; i++)
        free((*arr)[i]);
    free(*arr);
    *arr = v, *count = l->n;
    return 0;
}

/* The child: p (m's copy without the other nodes) with graph io in/out,
 * cleaned up and saved. */
static int save_child(finn_model *p, const names *in, const names *out, const char *path,
                      finn_error *err)
{
    if (set_names(&p->inputs, &p->n_inputs, in, err) ||
        set_names(&p->outputs, &p->n_outputs, out, err))
        return -1;
    for (size_t i = 0; i < in->n + out->n; i++) {
        finn_value *v = finn_model_value(p, i < in->n ? in->v[i] : out->v[i - in->n]);
        if (v) /* graph io, not value_info */
            v->in_value_info = false;
    }
    return finn_model_cleanup(p, err) || finn_model_save(p, path, err) ||
                   finn_model_settle_as_saved(p, err)
               ? -1
               : 0;
}

void pt_children_free(pt_children *c)
{
    for (size_t i = 0; i < c->n; i++) {
        finn_model_free(c->v[i]);
        free(c->paths[i]);
    }
    free(c->v);
    free(c->paths);
    memset(c, 0, sizeof *c);
}

static int children_add(pt_children *c, finn_model *child, const char *path, finn_error *err)
{
    finn_model **v = realloc(c->v, (c->n + 1) * sizeof *v);
    if (v)
        c->v = v;
    char **p = v ? realloc(c->paths, (c->n + 1) * sizeof *p) : NULL;
    if (p)
        c->paths = p;
    char *dup = p ? strdup(path) : NULL;
    if (!dup)
        return finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
    c->v[c->n] = child;
    c->paths[c->n++] = dup;
    return 0;
}

/* One partition: child file (and model, added to kids) and GenericPartition
 * node in m. */
static int split_one(finn_model *m, int64_t id, const char *dir, pt_children *kids,
                     finn_error *err)
{
    int64_t *pid = malloc((m->n_nodes + 1) * sizeof *pid);
    if (!pid)
        return finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < m->n_nodes; i++)
        pid[i] = partition_of(m->nodes[i]);
    names in = {0}, out = {0};
    size_t start = 0;
    char path[4096], name[64];
    snprintf(path, sizeof path, "%s/partition_%lld.onnx", dir, (long long)id);
    snprintf(name, sizeof name, "GenericPartition_%lld", (long long)id);
    finn_model *p = finn_model_clone_shallow(m, err);
    int rc = p ? 0 : -1;
    for (size_t i = m->n_nodes; !rc && i-- > 0;)
        if (pid[i] != id)
            finn_model_remove_node(p, p->nodes[i]);
    rc = rc || find_io(m, p, pid, id, &in, &out, &start, err) ||
         check_no_cycle(m, &in, id, err) || save_child(p, &in, &out, path, err) ||
         children_add(kids, p, path, err);
    if (!rc)
        p = NULL; /* kids owns it */
    finn_node *g =
        rc ? NULL : finn_node_new("GenericPartition", "qonnx.custom_op.general", name, err);
    rc = rc || !g;
    for (size_t i = 0; !rc && i < in.n; i++)
        rc = finn_node_add_input(g, in.v[i], err);
    for (size_t i = 0; !rc && i < out.n; i++)
        rc = finn_node_add_output(g, out.v[i], err);
    rc = rc || finn_node_set_attr_s(g, "model", path, err);
    if (!rc) {
        /* remember the partition's nodes before the insert shifts indices */
        finn_node **victims = malloc((m->n_nodes + 1) * sizeof *victims);
        size_t nv = 0;
        for (size_t i = 0; victims && i < m->n_nodes; i++)
            if (pid[i] == id)
                victims[nv++] = m->nodes[i];
        rc = !victims ? finn_error_set(err, FINN_ERR_NOMEM, "out of memory")
                      : finn_model_insert_node(m, start, g, err);
        if (!rc)
            g = NULL;
        for (size_t i = 0; !rc && i < nv; i++)
            finn_model_remove_node(m, victims[i]);
        free(victims);
    }
    finn_node_free(g);
    finn_model_free(p);
    names_free(&in);
    names_free(&out);
    free(pid);
    return rc ? -1 : 0;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* PartitionFromLambda: ids in ascending order (Python's set order for
 * small non-negative ints), then the transform's cleanup. */
static int partition_from_ids(finn_model *m, const char *dir, pt_children *kids,
                              finn_error *err)
{
    int64_t *ids = malloc((m->n_nodes + 1) * sizeof *ids);
    if (!ids)
        return finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
    size_t n = 0;
    for (size_t i = 0; i < m->n_nodes; i++) {
        int64_t id = partition_of(m->nodes[i]);
        bool dup = id == -1;
        for (size_t j = 0; j < n && !dup; j++)
            dup = ids[j] == id;
        if (!dup)
            ids[n++] = id;
    }
    qsort(ids, n, sizeof *ids, cmp_i64);
    int rc = n ? finn_mkdirs(dir, err) : 0;
    for (size_t i = 0; !rc && i < n; i++)
        rc = split_one(m, ids[i], dir, kids, err);
    free(ids);
    return rc ? -1 : finn_model_cleanup(m, err);
}

/* SLR of every node of child c must agree; at most one memory port. */
static int sdp_attrs(finn_node *g, const finn_model *c, int64_t index, finn_error *err)
{
    const char *path = finn_node_attr_s(g, "model", "");
    int64_t slr = c->n_nodes ? finn_node_attr_i(c->nodes[0], "slr", -1) : -1;
    const char *port = "";
    size_t nports = 0;
    int rc = 0;
    for (size_t i = 0; i < c->n_nodes && !rc; i++) {
        const finn_node *n = c->nodes[i];
        if (finn_node_attr_i(n, "slr", -1) != slr)
            rc = finn_error_set(err, FINN_ERR_INVALID,
                                "%s: all nodes with same partition_id must have the same slr "
                                "id (node '%s' has slr %lld, the first node %lld)",
                                path, n->name, (long long)finn_node_attr_i(n, "slr", -1),
                                (long long)slr);
        const char *mp = finn_node_attr_s(n, "mem_port", "");
        if (mp[0])
            nports++, port = mp;
    }
    if (!rc && nports > 1)
        rc = finn_error_set(err, FINN_ERR_INVALID,
                            "%s: Too many memory ports per partition (%zu nodes set mem_port)",
                            path, nports);
    char *type = rc ? NULL : strdup("StreamingDataflowPartition");
    char *dom = rc ? NULL : strdup(FINN_HW_DOMAIN);
    if (!rc && (!type || !dom))
        rc = finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
    if (!rc) {
        free(g->op_type), free(g->domain);
        g->op_type = type, g->domain = dom;
        type = dom = NULL;
        rc = finn_node_set_attr_i(g, "partition_id", index, err) ||
             finn_node_set_attr_i(g, "slr", slr, err) ||
             finn_node_set_attr_s(g, "mem_port", port, err);
    }
    free(type);
    free(dom);
    return rc ? -1 : 0;
}

/* The child model behind GenericPartition node g (by its file name). */
static const finn_model *child_model(const finn_node *g, const pt_children *kids)
{
    const char *path = finn_node_attr_s(g, "model", "");
    for (size_t i = 0; i < kids->n; i++)
        if (!strcmp(kids->paths[i], path))
            return kids->v[i];
    return NULL;
}

int pt_create_dataflow_partition(finn_model *m, const char *dir, pt_children *kids,
                                 finn_error *err)
{
    memset(kids, 0, sizeof *kids);
    int rc = partition_from_ids(m, dir, kids, err);
    int64_t index = 0;
    for (size_t i = 0; !rc && i < m->n_nodes; i++)
        if (!strcmp(m->nodes[i]->op_type, "GenericPartition")) {
            const finn_model *c = child_model(m->nodes[i], kids);
            rc = !c ? finn_error_set(err, FINN_ERR_INVALID,
                                     "partition node '%s' has no child model",
                                     m->nodes[i]->name)
                    : sdp_attrs(m->nodes[i], c, index++, err);
        }
    if (rc || finn_model_cleanup(m, err))
        goto fail;
    return 0;
fail:
    pt_children_free(kids);
    return -1;
}
