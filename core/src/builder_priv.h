/*
 * builder_priv.h - the state of a running build, shared by builder.c and
 * verify.c (private to the core).
 */
#ifndef FINN_BUILDER_PRIV_H
#define FINN_BUILDER_PRIV_H

#include <stdbool.h>
#include <stdio.h>
#include "finn/builder.h"
#include "finn/registry.h"

struct finn_build {
    finn_registry *reg;
    const finn_config *cfg;
    const char *output_dir;
    FILE *console;
    FILE *log;
    bool verbose;
};

#endif
