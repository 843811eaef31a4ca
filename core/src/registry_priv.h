/*
 * registry_priv.h - bookkeeping the plugin loader keeps in the registry:
 * which files are loaded (so none loads twice) and their dlopen handles,
 * closed when the registry is freed.
 */
#ifndef FINN_REGISTRY_PRIV_H
#define FINN_REGISTRY_PRIV_H

#include <stdbool.h>
#include "finn/registry.h"

bool finn_registry_has_plugin_file(const finn_registry *reg, const char *realpath);
int finn_registry_add_plugin_handle(finn_registry *reg, const char *realpath, void *handle,
                                    finn_error *err);
/* Names of the loaded plugin files, for --list-plugins. */
size_t finn_registry_plugin_count(const finn_registry *reg);
const char *finn_registry_plugin_file(const finn_registry *reg, size_t i);

#endif
