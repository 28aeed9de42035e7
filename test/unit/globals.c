// SPDX-License-Identifier: GPL-2.0
/*
 * The globals that main() (tcpopt/tcpopt.c) sets from the command line and
 * the code under test reads, at their defaults: for the unit tests and the
 * fuzz targets, which link tcpopt's objects without its main().
 */
#include <stdbool.h>

#include "../../tcpopt/tcpopt.h"

bool show_stats;
bool in_batch;
const char *netns_name;
