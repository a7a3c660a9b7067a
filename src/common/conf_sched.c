/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The scheduler's lines of leviathan.conf: QOS=name ... and
 * AccountName=name ... (docs/scheduling.md). */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/conf.h"
#include "common/conf_private.h"
#include "common/timefmt.h"

static int num(struct parser *p, const char *key, const char *val,
	       uint32_t *out)
{
	char *end;
	unsigned long long v;

	if (!strcasecmp(val, "UNLIMITED") || !strcasecmp(val, "INFINITE")) {
		*out = 0;
		return 0;
	}
	errno = 0;
	v = strtoull(val, &end, 10);
	if (!*val || *end || errno || v > UINT32_MAX || val[0] == '-')
		return perr(p, "bad number '%s' for %s", val, key);
	*out = (uint32_t)v;
	return 0;
}

static int dup_to(struct parser *p, char **dst, const char *val)
{
	char *s = strdup(val);

	if (!s)
		return nomem(p);
	free(*dst);
	*dst = s;
	return 0;
}

/* MaxTRESPerUser=cpu=N,node=N */
static int tres(struct parser *p, struct lv_conf_qos *q, const char *val)
{
	char buf[256], *save = NULL, *t;
	int rc = 0;

	if (strlen(val) >= sizeof(buf))
		return perr(p, "MaxTRESPerUser too long");
	strcpy(buf, val);
	for (t = strtok_r(buf, ",", &save); t && !rc;
	     t = strtok_r(NULL, ",", &save)) {
		if (!strncasecmp(t, "cpu=", 4))
			rc = num(p, "MaxTRESPerUser cpu", t + 4,
				 &q->max_cpus_pu);
		else if (!strncasecmp(t, "node=", 5))
			rc = num(p, "MaxTRESPerUser node", t + 5,
				 &q->max_nodes_pu);
		else
			rc = perr(
				p,
				"MaxTRESPerUser: unknown TRES '%s' (cpu or node)",
				t);
	}
	return rc;
}

static int qos_pair(struct parser *p, struct lv_conf_qos *q, const char *key,
		    const char *val)
{
	struct lv_error e = {0};

	if (!strcasecmp(key, "Priority"))
		return num(p, key, val, &q->priority);
	if (!strcasecmp(key, "MaxJobsPerUser"))
		return num(p, key, val, &q->max_jobs_pu);
	if (!strcasecmp(key, "MaxSubmitJobsPerUser"))
		return num(p, key, val, &q->max_submit_pu);
	if (!strcasecmp(key, "MaxTRESPerUser"))
		return tres(p, q, val);
	if (!strcasecmp(key, "MaxWall")) {
		if (lv_time_parse_minutes(val, &q->max_wall, &e) < 0)
			return perr(p, "MaxWall: %s", e.text);
		return 0;
	}
	if (!strcasecmp(key, "Preempt"))
		return dup_to(p, &q->preempt, val);
	if (!strcasecmp(key, "PreemptMode")) {
		if (strcasecmp(val, "REQUEUE") && strcasecmp(val, "CANCEL") &&
		    strcasecmp(val, "OFF"))
			return perr(
				p,
				"bad PreemptMode '%s' (one of OFF, REQUEUE, CANCEL)",
				val);
		return dup_to(p, &q->preempt_mode, val);
	}
	return perr(p, "unknown QOS key '%s'", key);
}

static void qos_clear(struct lv_conf_qos *q)
{
	free(q->name);
	free(q->preempt);
	free(q->preempt_mode);
}

static void account_clear(struct lv_conf_account *a)
{
	free(a->name);
	free(a->parent);
	free(a->users);
}

int qos_line(struct parser *p, const char *name, char *cur)
{
	struct lv_conf *c = p->conf;
	struct lv_conf_qos q = {.max_wall = LV_TIME_UNLIMITED}, *v;
	char *key, *val;
	int rc;

	if (lv_conf_find_qos(c, name))
		return perr(p, "duplicate QOS '%s'", name);
	while ((rc = next_pair(p, &cur, &key, &val)) > 0)
		if ((rc = qos_pair(p, &q, key, val)) < 0)
			break;
	if (rc == 0 && !(q.name = strdup(name)))
		rc = nomem(p);
	if (rc == 0 && !(v = realloc(c->qos, (c->n_qos + 1) * sizeof(*v))))
		rc = nomem(p);
	if (rc < 0) {
		qos_clear(&q);
		return rc;
	}
	c->qos = v;
	c->qos[c->n_qos++] = q;
	return 0;
}

static int account_pair(struct parser *p, struct lv_conf_account *a,
			const char *key, const char *val)
{
	if (!strcasecmp(key, "Parent"))
		return dup_to(p, &a->parent, val);
	if (!strcasecmp(key, "Fairshare"))
		return num(p, key, val, &a->shares);
	if (!strcasecmp(key, "Users"))
		return dup_to(p, &a->users, val);
	return perr(p, "unknown AccountName key '%s'", key);
}

int account_line(struct parser *p, const char *name, char *cur)
{
	struct lv_conf *c = p->conf;
	struct lv_conf_account a = {.shares = 1}, *v;
	char *key, *val;
	int rc;

	if (!strcmp(name, "root"))
		return perr(p, "the root account is implicit");
	if (lv_conf_find_account(c, name))
		return perr(p, "duplicate account '%s'", name);
	while ((rc = next_pair(p, &cur, &key, &val)) > 0)
		if ((rc = account_pair(p, &a, key, val)) < 0)
			break;
	if (rc == 0 && !(a.name = strdup(name)))
		rc = nomem(p);
	if (rc == 0 && !a.parent && !(a.parent = strdup("root")))
		rc = nomem(p);
	if (rc == 0 &&
	    !(v = realloc(c->accounts, (c->n_accounts + 1) * sizeof(*v))))
		rc = nomem(p);
	if (rc < 0) {
		account_clear(&a);
		return rc;
	}
	c->accounts = v;
	c->accounts[c->n_accounts++] = a;
	return 0;
}

int sched_conf_finish(struct parser *p)
{
	struct lv_conf *c = p->conf;

	for (size_t i = 0; i < c->n_accounts; i++) {
		const struct lv_conf_account *a = &c->accounts[i];
		size_t depth = 0;

		/* Every parent exists and the chain reaches root. */
		while (strcmp(a->parent, "root")) {
			const struct lv_conf_account *up =
				lv_conf_find_account(c, a->parent);

			if (!up)
				return lv_errorf(
					p->err, -EINVAL,
					"%s: account '%s': unknown Parent '%s'",
					c->path, a->name, a->parent);
			if (++depth > c->n_accounts)
				return lv_errorf(
					p->err, -EINVAL,
					"%s: account '%s': Parent loop",
					c->path, c->accounts[i].name);
			a = up;
		}
	}
	for (size_t i = 0; i < c->n_qos; i++) {
		const char *pre = c->qos[i].preempt, *s;
		char name[128];

		for (s = pre; s && *s;
		     s += strcspn(s, ",") + (s[strcspn(s, ",")] != 0)) {
			size_t n = strcspn(s, ",");

			snprintf(name, sizeof(name), "%.*s", (int)n, s);
			if (!lv_conf_find_qos(c, name))
				return lv_errorf(
					p->err, -EINVAL,
					"%s: QOS '%s': Preempt names unknown QOS '%s'",
					c->path, c->qos[i].name, name);
		}
	}
	return 0;
}

void sched_conf_free(struct lv_conf *conf)
{
	for (size_t i = 0; i < conf->n_qos; i++)
		qos_clear(&conf->qos[i]);
	for (size_t i = 0; i < conf->n_accounts; i++)
		account_clear(&conf->accounts[i]);
	free(conf->qos);
	free(conf->accounts);
}

const struct lv_conf_qos *lv_conf_find_qos(const struct lv_conf *conf,
					   const char *name)
{
	for (size_t i = 0; name && i < conf->n_qos; i++)
		if (!strcmp(conf->qos[i].name, name))
			return &conf->qos[i];
	return NULL;
}

const struct lv_conf_account *lv_conf_find_account(const struct lv_conf *conf,
						   const char *name)
{
	for (size_t i = 0; name && i < conf->n_accounts; i++)
		if (!strcmp(conf->accounts[i].name, name))
			return &conf->accounts[i];
	return NULL;
}

bool lv_conf_list_has(const char *list, const char *name)
{
	size_t len = strlen(name);
	const char *s = list;

	while (s && *s) {
		size_t n = strcspn(s, ",");

		if (n == len && !strncmp(s, name, n))
			return true;
		s += n;
		if (*s == ',')
			s++;
	}
	return false;
}

const struct lv_conf_account *lv_conf_user_account(const struct lv_conf *conf,
						   const char *user)
{
	for (size_t i = 0; user && i < conf->n_accounts; i++)
		if (lv_conf_list_has(conf->accounts[i].users, user))
			return &conf->accounts[i];
	return NULL;
}
