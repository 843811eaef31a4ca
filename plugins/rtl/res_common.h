/*
 * res_common.h - the resource-estimate helpers of the rtl plugin: the same
 * code as the hls plugin's (plugins/hls/res_common.h), compiled into this
 * separate shared object by plugins/rtl/res_common.c.
 */
#ifndef FINN_PLUGIN_RTL_RES_COMMON_H
#define FINN_PLUGIN_RTL_RES_COMMON_H

#include "hls/res_common.h"

#endif
