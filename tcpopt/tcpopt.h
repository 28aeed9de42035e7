/* SPDX-License-Identifier: GPL-2.0 */
/* The objects of the command line: one do_<object>() per file. */
#ifndef TCPOPT_TCPOPT_H
#define TCPOPT_TCPOPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Global options, set by main() before any object runs. */
extern bool show_stats;
extern const char *netns_name;
/* Running the lines of -batch FILE: nothing may stay in the foreground. */
extern bool in_batch;

int do_option(int argc, char **argv);
int do_feature(int argc, char **argv);
int do_stats(int argc, char **argv);
int do_pm(int argc, char **argv);
int do_subflow(int argc, char **argv);
int do_monitor(int argc, char **argv);
int do_mptcp(int argc, char **argv);
int do_save(int argc, char **argv);
int do_path(int argc, char **argv);

/* The words of "tcpopt path set" for a cgroup's settings (save). */
int path_config_words(uint64_t cgid, char *buf, size_t len);

/* A feature of "tcpopt feature" by name: does the running kernel have it? */
bool feature_supported(const char *name);
/*
 * 0 when the kernel has the feature NAME, else -EOPNOTSUPP after the one
 * error line "WHAT needs the kernel feature NAME (...), which this kernel
 * lacks": the up-front refusal of a command the kernel cannot carry out.
 */
int feature_require(const char *what, const char *name);
/* The same for each of a NULL-terminated list, first missing one named. */
int feature_require_all(const char *what, const char *const *names);

#endif
