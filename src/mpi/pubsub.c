/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The root lvd's store of a step's published keys, and the lookups that
 * wait for keys not yet published. */
#include "config.h"

#include "mpi/pubsub.h"

#include <errno.h>
#include <event2/event.h>
#include <nettle/base64.h>
#include <pmix.h>
#include <stdlib.h>
#include <string.h>

#include "common/msg.h"
#include "mpi/server_priv.h"

struct item {
	char *key, *val;
	uint32_t rank;
	struct item *next;
};

struct waiting {
	struct pubsub *ps;
	json_t *keys;
	pubsub_done_f cb;
	void *arg;
	struct event *timer;
	struct waiting *next;
};

struct pubsub {
	struct item *items;
	struct waiting *waits;
};

static struct pubsub *get(struct mpi_step *ms)
{
	if (!ms->pubsub)
		ms->pubsub = calloc(1, sizeof(*ms->pubsub));
	return ms->pubsub;
}

json_t *pubsub_encode(const pmix_info_t *info, size_t n)
{
	json_t *items = json_array();
	size_t i;

	for (i = 0; items && i < n; i++) {
		pmix_data_buffer_t buf;
		char *data = NULL, *s;
		size_t len = 0;

		if (!strncmp(info[i].key, "pmix", 4))
			continue;
		PMIX_DATA_BUFFER_CONSTRUCT(&buf);
		if (PMIx_Data_pack(NULL, &buf, (void *)&info[i], 1, PMIX_INFO) !=
		    PMIX_SUCCESS) {
			PMIX_DATA_BUFFER_DESTRUCT(&buf);
			continue;
		}
		PMIX_DATA_BUFFER_UNLOAD(&buf, data, len);
		PMIX_DATA_BUFFER_DESTRUCT(&buf);
		s = malloc(BASE64_ENCODE_RAW_LENGTH(len) + 1);
		if (s) {
			base64_encode_raw(s, len, (const uint8_t *)data);
			s[BASE64_ENCODE_RAW_LENGTH(len)] = '\0';
			json_array_append_new(items, json_pack("{s:s, s:s}", "key",
							       info[i].key, "val", s));
		}
		free(s);
		free(data);
		if (!s) {
			json_decref(items);
			return NULL;
		}
	}
	return items;
}

int pubsub_decode(const char *val, pmix_info_t *out)
{
	struct base64_decode_ctx ctx;
	size_t len = val ? strlen(val) : 0, n = BASE64_DECODE_LENGTH(len);
	pmix_data_buffer_t buf;
	int32_t cnt = 1;
	char *data;
	pmix_status_t rc;

	PMIX_INFO_CONSTRUCT(out);
	if (!val || !(data = malloc(n + 1)))
		return -EPROTO;
	base64_decode_init(&ctx);
	if (!base64_decode_update(&ctx, &n, (uint8_t *)data, len, val) ||
	    !base64_decode_final(&ctx) || !n) {
		free(data);
		return -EPROTO;
	}
	PMIX_DATA_BUFFER_CONSTRUCT(&buf);
	PMIX_DATA_BUFFER_LOAD(&buf, data, n); /* buf owns data now */
	rc = PMIx_Data_unpack(NULL, &buf, out, &cnt, PMIX_INFO);
	PMIX_DATA_BUFFER_DESTRUCT(&buf);
	return rc == PMIX_SUCCESS ? 0 : -EPROTO;
}

static struct item *find(struct pubsub *ps, const char *key)
{
	struct item *it;

	for (it = ps ? ps->items : NULL; it; it = it->next)
		if (!strcmp(it->key, key))
			return it;
	return NULL;
}

/* The items for keys; *all: every key was found. */
static json_t *collect(struct pubsub *ps, const json_t *keys, bool *all)
{
	json_t *out = json_array(), *k;
	struct item *it;
	size_t i;

	*all = true;
	json_array_foreach(keys, i, k) {
		if (!json_is_string(k) || !(it = find(ps, json_string_value(k)))) {
			*all = false;
			continue;
		}
		json_array_append_new(out, json_pack("{s:s, s:s, s:I}", "key",
						     it->key, "val", it->val,
						     "rank", (json_int_t)it->rank));
	}
	return out;
}

static void waiting_end(struct waiting *w, int rc)
{
	struct waiting **pp;
	json_t *items;
	bool all;

	for (pp = &w->ps->waits; *pp; pp = &(*pp)->next)
		if (*pp == w) {
			*pp = w->next;
			break;
		}
	items = rc == 0 ? collect(w->ps, w->keys, &all) : NULL;
	if (rc == 0 && !json_array_size(items))
		rc = -ENOENT;
	w->cb(rc, items, w->arg);
	json_decref(items);
	json_decref(w->keys);
	if (w->timer)
		event_free(w->timer);
	free(w);
}

static void on_timeout(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	waiting_end(arg, 0);
}

int pubsub_publish(struct mpi_step *ms, uint32_t rank, const json_t *items)
{
	struct pubsub *ps = get(ms);
	struct waiting *w, *next;
	const json_t *e;
	struct item *it;
	size_t i;
	bool all;

	if (!ps)
		return -ENOMEM;
	json_array_foreach(items, i, e) {
		if (!lv_json_str(e, "key") || !lv_json_str(e, "val"))
			return -EPROTO;
		if (find(ps, lv_json_str(e, "key")))
			return -EEXIST;
	}
	json_array_foreach(items, i, e) {
		if (!(it = calloc(1, sizeof(*it))) ||
		    !(it->key = strdup(lv_json_str(e, "key"))) ||
		    !(it->val = strdup(lv_json_str(e, "val")))) {
			if (it)
				free(it->key);
			free(it);
			return -ENOMEM;
		}
		it->rank = rank;
		it->next = ps->items;
		ps->items = it;
	}
	for (w = ps->waits; w; w = next) {
		json_t *got = collect(ps, w->keys, &all);

		next = w->next;
		json_decref(got);
		if (all)
			waiting_end(w, 0);
	}
	return 0;
}

int pubsub_unpublish(struct mpi_step *ms, uint32_t rank, const json_t *keys)
{
	struct pubsub *ps = ms->pubsub;
	struct item **pp, *it;
	const json_t *k;
	size_t i;
	int n = 0;

	for (pp = ps ? &ps->items : NULL; pp && (it = *pp);) {
		bool match = it->rank == rank && !json_is_array(keys);

		json_array_foreach(keys, i, k)
			match |= it->rank == rank && json_is_string(k) &&
				 !strcmp(json_string_value(k), it->key);
		if (!match) {
			pp = &it->next;
			continue;
		}
		*pp = it->next;
		free(it->key);
		free(it->val);
		free(it);
		n++;
	}
	return n ? 0 : -ENOENT;
}

void pubsub_lookup(struct mpi_step *ms, const json_t *keys, bool wait,
		   int timeout_s, pubsub_done_f cb, void *arg)
{
	struct pubsub *ps = get(ms);
	struct waiting *w;
	json_t *items;
	bool all;

	if (!ps || !json_is_array(keys)) {
		cb(ps ? -EPROTO : -ENOMEM, NULL, arg);
		return;
	}
	items = collect(ps, keys, &all);
	if (all || !wait || !(w = calloc(1, sizeof(*w)))) {
		cb(json_array_size(items) ? 0 : -ENOENT, items, arg);
		json_decref(items);
		return;
	}
	json_decref(items);
	w->ps = ps;
	w->keys = json_deep_copy(keys);
	w->cb = cb;
	w->arg = arg;
	if (timeout_s > 0) {
		struct timeval tv = { timeout_s, 0 };

		if ((w->timer = evtimer_new(ms->srv->base, on_timeout, w)))
			evtimer_add(w->timer, &tv);
	}
	w->next = ps->waits;
	ps->waits = w;
}

void pubsub_free(struct mpi_step *ms)
{
	struct pubsub *ps = ms->pubsub;
	struct item *it;

	if (!ps)
		return;
	while (ps->waits)
		waiting_end(ps->waits, -ECANCELED);
	while ((it = ps->items)) {
		ps->items = it->next;
		free(it->key);
		free(it->val);
		free(it);
	}
	free(ps);
	ms->pubsub = NULL;
}
