/*
 * transform_names.c - GiveUniqueNodeNames: every node becomes
 * "<op_type>_<k>", k counting from 0 per op_type in graph order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

#include "finn/transforms.h"
#include "util.h"

typedef struct op_count {
    const char *op_type;
    size_t next;
    UT_hash_handle hh;
} op_count;

int finn_give_unique_node_names(finn_model *m, finn_error *err)
{
    op_count *counts = NULL, *c, *tmp;
    int rc = 0;
    for (size_t i = 0; i < m->n_nodes && rc == 0; i++) {
        finn_node *n = m->nodes[i];
        HASH_FIND_STR(counts, n->op_type, c);
        if (!c) {
            c = finn_xcalloc(1, sizeof *c, err);
            if (!c) {
                rc = -1;
                break;
            }
            c->op_type = n->op_type;
            HASH_ADD_KEYPTR(hh, counts, c->op_type, strlen(c->op_type), c);
        }
        size_t len = strlen(n->op_type) + 24;
        char *name = finn_xmalloc(len, err);
        if (!name) {
            rc = -1;
            break;
        }
        snprintf(name, len, "%s_%zu", n->op_type, c->next++);
        free(n->name);
        n->name = name;
    }
    HASH_ITER(hh, counts, c, tmp) {
        HASH_DEL(counts, c);
        free(c);
    }
    return rc;
}
