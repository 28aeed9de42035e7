// SPDX-License-Identifier: GPL-2.0
/* The drivers' memory of destinations: see path.h and bpf/path.bpf.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpffs.h"
#include "driver.h"
#include "output.h"
#include "path.h"
#include "utils.h"

const char *const driver_path_maps[DRIVER_PATH_MAPS] = {
	"path_config", "path_rto_mark", "path_ack",
};

static const struct {
	const char *map;
	const char *pin;
} shared_maps[] = {
	{ "tcpopt_paths", PIN_PATHS },
	{ "tcpopt_path_events", PIN_PATH_EVENTS },
	{ "tcpopt_echo_note", PIN_ECHO_NOTE },
};

int path_maps_share(struct bpf_object *obj)
{
	struct bpf_map *m;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(shared_maps); i++) {
		m = bpf_object__find_map_by_name(obj, shared_maps[i].map);
		if (!m || bpf_map__set_pin_path(m, shared_maps[i].pin))
			return -EPROTO;
	}
	return 0;
}

static int forget_one(const struct tcpopt_path_key *k, const struct tcpopt_path *e, void *ctx)
{
	(void)e;
	(void)ctx;
	path_forget(k);
	return 0;
}

int path_config_init(struct bpf_object *obj, uint64_t cgid)
{
	struct tcpopt_path_config pc = { .cgroup_id = cgid };
	struct bpf_map *m = bpf_object__find_map_by_name(obj, "path_config");
	__u32 zero = 0;

	if (!m || bpf_map_update_elem(bpf_map__fd(m), &zero, &pc, BPF_ANY))
		return err_run(m ? -errno : -EPROTO, "cannot set up the driver's path memory: %s",
			       m ? err_str(errno) : "no map path_config");
	/* A new driver starts afresh: what an earlier one of this cgroup
	 * learned (the shared map outlives it) is forgotten. */
	return path_walk(cgid, forget_one, NULL);
}

static int path_config_map(uint64_t cgid)
{
	return driver_map_open(cgid, "path_config");
}

int path_config_read(uint64_t cgid, struct tcpopt_path_config *pc)
{
	return map_read_close(path_config_map(cgid), pc);
}

int path_config_write(uint64_t cgid, const struct tcpopt_path_config *pc)
{
	return map_write_close(path_config_map(cgid), pc);
}

uint32_t path_expire_s(const struct tcpopt_path_config *pc)
{
	return pc->expire_s ? pc->expire_s : TCPOPT_PATH_EXPIRE_DEFAULT_S;
}

unsigned int path_prefix_len(const struct tcpopt_path_config *pc, int family)
{
	if (family == AF_INET)
		return pc->prefix4 && pc->prefix4 < 32 ? pc->prefix4 : 32;
	return pc->prefix6 && pc->prefix6 < 128 ? pc->prefix6 : 128;
}

uint64_t path_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

const char *path_state_str(unsigned int state)
{
	static const char *const names[TCPOPT_PATH_STATE_COUNT] = {
		[TCPOPT_PATH_NEW] = "new",
		[TCPOPT_PATH_OK] = "ok",
		[TCPOPT_PATH_STRIPPED] = "stripping",
		[TCPOPT_PATH_UNANSWERED] = "unanswered",
		[TCPOPT_PATH_BLACKHOLE] = "blackhole",
		[TCPOPT_PATH_PROBE] = "probe",
	};

	return state < TCPOPT_PATH_STATE_COUNT ? names[state] : "unknown";
}

const char *path_state_name(const struct tcpopt_path *e, uint32_t expire_s, uint64_t now_ns)
{
	if (e->state == TCPOPT_PATH_BLACKHOLE &&
	    now_ns - e->blackhole_ns >= (uint64_t)expire_s * 1000000000ULL)
		return "expired";	/* the next SYN carries the options again */
	return path_state_str(e->state);
}

int path_walk(uint64_t cgid, path_walk_cb cb, void *ctx)
{
	struct tcpopt_path_key key, next;
	struct tcpopt_path e;
	int fd = bpf_obj_get(PIN_PATHS), rc = 0;
	void *prev = NULL;

	if (fd < 0)
		return errno == ENOENT ? 0 : err_run(-errno, "cannot open %s: %s", PIN_PATHS,
						     err_str(errno));
	while (!rc && !bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		/* Gone in between (LRU, flush): the next key still follows. */
		if (bpf_map_lookup_elem(fd, &key, &e))
			continue;
		if (!cgid || key.cgroup_id == cgid)
			rc = cb(&key, &e, ctx);
	}
	close(fd);
	return rc;
}

int path_forget(const struct tcpopt_path_key *k)
{
	int fd = bpf_obj_get(PIN_PATHS), err = 0;

	if (fd < 0)
		return -errno;
	if (bpf_map_delete_elem(fd, k) && errno != ENOENT)
		err = -errno;
	close(fd);
	return err;
}

bool path_key_in(const struct tcpopt_path_key *k, const struct prefix *p)
{
	const uint8_t *a = (const uint8_t *)k->addr;
	unsigned int bit;

	if (!p->family)
		return true;
	if (p->family != k->family || k->prefix_len < p->len)
		return false;
	for (bit = 0; bit < p->len; bit++)
		if ((a[bit / 8] ^ p->addr[bit / 8]) & (0x80 >> (bit % 8)))
			return false;
	return true;
}

void path_key_dst(const struct tcpopt_path_key *k, char *buf, size_t len)
{
	struct prefix p = { .family = k->family, .len = k->prefix_len };

	memcpy(p.addr, k->addr, sizeof(p.addr));
	format_prefix(&p, buf, len);
}

void path_slots_out(struct onode *obj, const char *key, uint64_t cgid, uint16_t slots)
{
	char names[TCPOPT_DRIVER_SLOTS][DRIVER_SLOT_NAME];
	struct onode *arr = out_add_array(obj, key);
	unsigned int i;

	if (!slots)
		return;
	if (driver_slot_names(cgid, names, TCPOPT_DRIVER_SLOTS))
		names[0][0] = '\0';
	for (i = 0; i < TCPOPT_DRIVER_SLOTS; i++) {
		if (!(slots & (1U << i)))
			continue;
		if (names[i][0])
			out_push_str(arr, names[i]);
		else
			out_push_str(arr, "(removed)");	/* the slot's option is gone */
	}
}

struct events_ctx {
	path_event_fn handle;
	void *data;
	uint64_t left;
	uint64_t start_ns;	/* CLOCK_BOOTTIME when the monitor started */
	bool limited;
	int rc;
};

static int event_cb(void *ctx, void *data, size_t size)
{
	struct events_ctx *c = ctx;

	if (size < sizeof(struct tcpopt_path_event) || c->rc)
		return 0;
	/* Queued while nobody read (the ring outlives its readers): old
	 * news, and the map has the state now. */
	if (((const struct tcpopt_path_event *)data)->ns < c->start_ns)
		return 0;
	c->rc = c->handle(data, c->data);
	if (!c->rc && c->limited && !--c->left)
		c->rc = 1;
	return c->rc;
}

static uint64_t monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The ring buffer of the drivers, pinned by the first one; until there is
 * one, create it and pin it for them (libbpf reuses a pinned map). */
static int events_map(void)
{
	int fd = bpf_obj_get(PIN_PATH_EVENTS), err;

	if (fd >= 0 || errno != ENOENT)
		return fd >= 0 ? fd : -errno;
	err = bpffs_prepare();
	if (err)
		return err;
	fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "tcpopt_path_ev", 0, 0,
			    TCPOPT_PATH_EVENTS_BYTES, NULL);
	if (fd < 0)
		return -errno;
	if (bpf_obj_pin(fd, PIN_PATH_EVENTS) && errno != EEXIST) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

static uint32_t map_id(int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

/* The ring buffer of PIN_PATH_EVENTS into *rb, unless it is the one of id
 * *id already (the last driver's removal unpins it, the next driver pins
 * another). */
static int events_open(struct ring_buffer **rb, uint32_t *id, struct events_ctx *c)
{
	int fd = events_map();
	uint32_t now;

	if (fd < 0)
		return err_run(fd, "cannot open %s: %s", PIN_PATH_EVENTS, err_str(-fd));
	now = map_id(fd);
	if (*rb && now == *id) {
		close(fd);
		return 0;
	}
	ring_buffer__free(*rb);
	*rb = ring_buffer__new(fd, event_cb, c, NULL);
	close(fd);
	if (!*rb)
		return err_run(-errno, "cannot read %s: %s", PIN_PATH_EVENTS, err_str(errno));
	*id = now;
	return 0;
}

#define EVENTS_RECHECK_MS 1000

int path_events_run(uint64_t max_events, uint64_t timeout_ms, path_event_fn handle, void *data)
{
	struct events_ctx c = { .handle = handle, .data = data, .left = max_events,
				.limited = max_events > 0 };
	struct timespec boot;
	uint64_t now, deadline = timeout_ms ? monotonic_ms() + timeout_ms : 0;
	struct ring_buffer *rb = NULL;
	struct pollfd pfd[2];
	uint32_t id = 0;
	sigset_t old;
	int sfd, n, wait, err;

	clock_gettime(CLOCK_BOOTTIME, &boot);
	c.start_ns = (uint64_t)boot.tv_sec * 1000000000ULL + (uint64_t)boot.tv_nsec;
	err = events_open(&rb, &id, &c);
	if (err)
		return err;
	sfd = stop_signals_open(&old);
	if (sfd < 0) {
		ring_buffer__free(rb);
		return err_run(sfd, "cannot block signals: %s", err_str(-sfd));
	}
	pfd[0] = (struct pollfd){ .fd = sfd, .events = POLLIN };
	while (!c.rc && !err) {
		wait = EVENTS_RECHECK_MS;
		if (deadline) {
			now = monotonic_ms();
			if (now >= deadline)
				break;
			if (deadline - now < (uint64_t)wait)
				wait = (int)(deadline - now);
		}
		pfd[1] = (struct pollfd){ .fd = ring_buffer__epoll_fd(rb), .events = POLLIN };
		n = poll(pfd, 2, wait);
		if (n < 0 && errno != EINTR) {
			err = err_run(-errno, "poll: %s", err_str(errno));
		} else if (n > 0 && pfd[0].revents) {
			err = stop_signals_consume(sfd);
			break;
		} else if (n > 0 && pfd[1].revents) {
			n = ring_buffer__consume(rb);
			if (n < 0 && !c.rc)
				err = err_run(n, "reading %s: %s", PIN_PATH_EVENTS, err_str(-n));
		} else if (!n) {
			err = events_open(&rb, &id, &c);
		}
	}
	stop_signals_close(sfd, &old);
	ring_buffer__free(rb);
	return err ? err : c.rc < 0 ? c.rc : 0;
}
