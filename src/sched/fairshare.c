/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fair share by account and user (Slurm's classic formula, usage decayed
 * lazily: each association keeps its usage and when it was true). */
#include "config.h"

#include "sched/fairshare.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* An account (user NULL) or a user under an account. */
struct assoc {
	char *account, *user;
	size_t parent; /* index; root is its own parent */
	uint32_t shares;
	double usage; /* CPU-seconds, as of stamp */
	time_t stamp;
	double norm; /* NormShares, valid when !fs->dirty */
};

struct fairshare {
	struct assoc *v;
	size_t n, cap;
	size_t *hash; /* open addressing: index + 1, 0 empty */
	size_t hcap;  /* power of two */
	double half_life_s;
	bool has_accounts;
	bool dirty;           /* shares changed: NormShares to recompute */
	bool unsaved;         /* usage changed since fairshare_save */
	time_t charged_until; /* running jobs' usage is in up to here */
	time_t saved_at;
	const struct lv_conf *conf; /* borrowed: default accounts, Users= */
};

double fairshare_decay(double usage, double seconds, double half_life_s)
{
	if (seconds <= 0 || half_life_s <= 0)
		return usage;
	return usage * exp2(-seconds / half_life_s);
}

double fairshare_formula(double effective_usage, double norm_shares)
{
	if (norm_shares <= 0)
		return 0;
	return exp2(-effective_usage / norm_shares);
}

static size_t key_hash(const char *account, const char *user)
{
	size_t h = 1469598103934665603ull;
	const char *s;

	for (s = account; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	h = (h ^ 1u) * 1099511628211ull;
	for (s = user ? user : ""; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static bool same(const struct assoc *a, const char *account, const char *user)
{
	if (strcmp(a->account, account))
		return false;
	if (!a->user || !user)
		return !a->user && !user;
	return !strcmp(a->user, user);
}

static long lookup(const struct fairshare *fs, const char *account,
		   const char *user)
{
	size_t m = fs->hcap - 1, i = key_hash(account, user) & m;

	for (; fs->hash[i]; i = (i + 1) & m)
		if (same(&fs->v[fs->hash[i] - 1], account, user))
			return (long)(fs->hash[i] - 1);
	return -1;
}

static void hash_put(struct fairshare *fs, size_t idx)
{
	size_t m = fs->hcap - 1;
	size_t i = key_hash(fs->v[idx].account, fs->v[idx].user) & m;

	while (fs->hash[i])
		i = (i + 1) & m;
	fs->hash[i] = idx + 1;
}

static int grow(struct fairshare *fs)
{
	struct assoc *v;
	size_t *h, i;

	if (fs->n + 1 > fs->cap) {
		size_t cap = fs->cap ? fs->cap * 2 : 16;

		if (!(v = realloc(fs->v, cap * sizeof(*v))))
			return -ENOMEM;
		fs->v = v;
		fs->cap = cap;
	}
	if ((fs->n + 1) * 2 <= fs->hcap)
		return 0;
	if (!(h = calloc(fs->hcap ? fs->hcap * 2 : 32, sizeof(*h))))
		return -ENOMEM;
	free(fs->hash);
	fs->hash = h;
	fs->hcap = fs->hcap ? fs->hcap * 2 : 32;
	for (i = 0; i < fs->n; i++)
		hash_put(fs, i);
	return 0;
}

/* Adds an association; returns its index or -ENOMEM. */
static long add(struct fairshare *fs, const char *account, const char *user,
		size_t parent, uint32_t shares, time_t now)
{
	struct assoc *a;

	if (grow(fs) < 0)
		return -ENOMEM;
	a = &fs->v[fs->n];
	memset(a, 0, sizeof(*a));
	if (!(a->account = strdup(account)) ||
	    (user && !(a->user = strdup(user)))) {
		free(a->account);
		return -ENOMEM;
	}
	a->parent = parent;
	a->shares = shares;
	a->stamp = now;
	hash_put(fs, fs->n);
	fs->dirty = true;
	return (long)fs->n++;
}

void fairshare_destroy(struct fairshare *fs)
{
	size_t i;

	if (!fs)
		return;
	for (i = 0; i < fs->n; i++) {
		free(fs->v[i].account);
		free(fs->v[i].user);
	}
	free(fs->v);
	free(fs->hash);
	free(fs);
}

/* Adds account a and (first) its ancestors; returns its index. */
static long add_account(struct fairshare *fs, const struct lv_conf_account *a,
			time_t now)
{
	long idx = lookup(fs, a->name, NULL), parent;
	const struct lv_conf_account *up;

	if (idx >= 0)
		return idx;
	up = lv_conf_find_account(fs->conf, a->parent);
	parent = up ? add_account(fs, up, now) : 0; /* conf checked loops */
	if (parent < 0)
		return parent;
	return add(fs, a->name, NULL, (size_t)parent, a->shares, now);
}

static int add_users(struct fairshare *fs, const struct lv_conf_account *a,
		     time_t now)
{
	long parent = lookup(fs, a->name, NULL);
	const char *s = a->users;
	char name[256];

	while (s && *s) {
		size_t n = strcspn(s, ",");

		snprintf(name, sizeof(name), "%.*s", (int)n, s);
		if (*name && lookup(fs, a->name, name) < 0 &&
		    add(fs, a->name, name, (size_t)parent, 1, now) < 0)
			return -ENOMEM;
		s += n + (s[n] == ',');
	}
	return 0;
}

struct fairshare *fairshare_create(const struct lv_conf *conf, time_t now)
{
	struct fairshare *fs = calloc(1, sizeof(*fs));
	size_t i;

	if (!fs)
		return NULL;
	fs->conf = conf;
	fs->half_life_s = (double)conf->prio_half_life * 60.0;
	fs->has_accounts = conf->n_accounts > 0;
	if (add(fs, "root", NULL, 0, 1, now) < 0)
		goto out_destroy;
	for (i = 0; i < conf->n_accounts; i++)
		if (add_account(fs, &conf->accounts[i], now) < 0 ||
		    add_users(fs, &conf->accounts[i], now) < 0)
			goto out_destroy;
	return fs;
out_destroy:
	fairshare_destroy(fs);
	return NULL;
}

/* Decays a's usage to now. */
static double usage_now(const struct fairshare *fs, struct assoc *a, time_t now)
{
	if (now > a->stamp) {
		a->usage = fairshare_decay(a->usage, (double)(now - a->stamp),
					   fs->half_life_s);
		a->stamp = now;
	}
	return a->usage;
}

struct fairshare *fairshare_rebuild(const struct fairshare *old,
				    const struct lv_conf *conf, time_t now)
{
	struct fairshare *fs = fairshare_create(conf, now);
	size_t i;

	for (i = 0; fs && old && i < old->n; i++) {
		struct assoc *o = &old->v[i];
		long k = lookup(fs, o->account, o->user);

		/* Users that were added on the fly come back the same way. */
		if (k < 0 && o->user && lookup(fs, o->account, NULL) >= 0)
			k = add(fs, o->account, o->user,
				(size_t)lookup(fs, o->account, NULL), 1, now);
		if (k == -ENOMEM) {
			fairshare_destroy(fs);
			return NULL;
		}
		if (k >= 0) {
			fs->v[k].usage = fairshare_decay(
				o->usage, (double)(now - o->stamp),
				fs->half_life_s);
			fs->v[k].stamp = now;
		}
	}
	return fs;
}

bool fairshare_has_accounts(const struct fairshare *fs)
{
	return fs->has_accounts;
}

const char *fairshare_default_account(const struct fairshare *fs,
				      const char *user)
{
	const struct lv_conf_account *a = lv_conf_user_account(fs->conf, user);

	return a ? a->name : "root";
}

bool fairshare_user_may_use(const struct fairshare *fs, const char *account,
			    const char *user)
{
	const struct lv_conf_account *a;

	if (!fs->has_accounts)
		return true;
	a = lv_conf_find_account(fs->conf, account);
	return a && lv_conf_list_has(a->users, user);
}

/* The user's association, added under account when missing. */
static long user_assoc(struct fairshare *fs, const char *account,
		       const char *user, time_t now)
{
	long k, parent;

	if (!account)
		account = "root";
	if ((k = lookup(fs, account, user)) >= 0)
		return k;
	if ((parent = lookup(fs, account, NULL)) < 0)
		parent = 0; /* an account removed from the configuration */
	return add(fs, fs->v[parent].account, user, (size_t)parent, 1, now);
}

int fairshare_charge(struct fairshare *fs, const char *account,
		     const char *user, double cpu_seconds, time_t now)
{
	long k = user_assoc(fs, account, user, now);
	size_t i;

	if (k < 0)
		return (int)k;
	for (i = (size_t)k;; i = fs->v[i].parent) {
		fs->v[i].usage = usage_now(fs, &fs->v[i], now) + cpu_seconds;
		if (i == 0)
			break;
	}
	fs->unsaved = true;
	return 0;
}

/* NormShares: shares over the siblings' sum, times the parent's. */
static void compute_norm(struct fairshare *fs)
{
	double *sum = calloc(fs->n, sizeof(*sum));
	size_t i;

	if (!sum)
		return; /* stays dirty: retried next time */
	for (i = 1; i < fs->n; i++)
		sum[fs->v[i].parent] += fs->v[i].shares;
	fs->v[0].norm = 1.0;
	/* Parents come before their children (add_account's order). */
	for (i = 1; i < fs->n; i++) {
		struct assoc *a = &fs->v[i];
		double s = sum[a->parent];

		a->norm = s > 0 ? fs->v[a->parent].norm * a->shares / s : 0;
	}
	free(sum);
	fs->dirty = false;
}

static double eff_usage(struct fairshare *fs, size_t i, time_t now)
{
	double total = usage_now(fs, &fs->v[0], now);

	return total > 0 ? usage_now(fs, &fs->v[i], now) / total : 0;
}

double fairshare_factor(struct fairshare *fs, const char *account,
			const char *user, time_t now)
{
	long k = lookup(fs, account ? account : "root", user);

	if (k < 0)
		return 1.0;
	if (fs->dirty)
		compute_norm(fs);
	return fairshare_formula(eff_usage(fs, (size_t)k, now), fs->v[k].norm);
}

static bool row_wanted(const struct fairshare *fs, const struct assoc *a,
		       const char *user, const char *account, bool all_users)
{
	if (account && strcmp(a->account, account))
		return false;
	if (user)
		return !a->user || !strcmp(a->user, user);
	(void)fs;
	return !a->user || all_users;
}

static void add_row(struct fairshare *fs, json_t *rows, size_t i, time_t now)
{
	struct assoc *a = &fs->v[i];
	double eu = eff_usage(fs, i, now);

	json_array_append_new(
		rows,
		json_pack("{s:s, s:s?, s:s?, s:I, s:f, s:I, s:f, s:f}",
			  "account", a->account, "user", a->user, "parent",
			  i ? fs->v[a->parent].account : NULL, "raw_shares",
			  (json_int_t)a->shares, "norm_shares", a->norm,
			  "raw_usage", (json_int_t)llround(a->usage),
			  "effective_usage", eu, "fairshare",
			  fairshare_formula(eu, a->norm)));
}

/* Depth-first: each association, then its children. */
static void walk(struct fairshare *fs, json_t *rows, size_t i, time_t now,
		 const char *user, const char *account, bool all_users)
{
	size_t c;

	if (row_wanted(fs, &fs->v[i], user, account, all_users))
		add_row(fs, rows, i, now);
	for (c = 1; c < fs->n; c++)
		if (fs->v[c].parent == i && c != i && !fs->v[c].user)
			walk(fs, rows, c, now, user, account, all_users);
	for (c = 1; c < fs->n; c++)
		if (fs->v[c].parent == i && fs->v[c].user &&
		    row_wanted(fs, &fs->v[c], user, account, all_users))
			add_row(fs, rows, c, now);
}

json_t *fairshare_to_json(struct fairshare *fs, time_t now, const char *user,
			  const char *account, bool all_users)
{
	json_t *rows = json_array();

	if (!rows)
		return NULL;
	if (fs->dirty)
		compute_norm(fs);
	walk(fs, rows, 0, now, user, account, all_users);
	return rows;
}

time_t fairshare_charged_until(const struct fairshare *fs)
{
	return fs->charged_until;
}

void fairshare_set_charged_until(struct fairshare *fs, time_t t)
{
	fs->charged_until = t;
	fs->unsaved = true;
}

bool fairshare_save_due(const struct fairshare *fs, time_t now, bool at_exit)
{
	return fs->unsaved && (at_exit || now - fs->saved_at >= 30);
}

int fairshare_save(struct fairshare *fs, const char *path, time_t now,
		   struct lv_error *err)
{
	json_t *arr = json_array(), *root;
	char tmp[4096];
	size_t i;
	int rc = 0;

	if (!arr ||
	    !(root = json_pack("{s:I, s:I, s:o}", "time", (json_int_t)now,
			       "charged_until", (json_int_t)fs->charged_until,
			       "usage", arr)))
		return lv_errorf(err, -ENOMEM, "out of memory");
	for (i = 0; i < fs->n; i++)
		json_array_append_new(
			arr, json_pack("{s:s, s:s?, s:f}", "account",
				       fs->v[i].account, "user", fs->v[i].user,
				       "usage", usage_now(fs, &fs->v[i], now)));
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	if (json_dump_file(root, tmp, JSON_COMPACT) < 0)
		rc = lv_errorf(err, -EIO, "fairshare: cannot write %s", tmp);
	else if (rename(tmp, path) < 0)
		rc = lv_errorf(err, -errno, "fairshare: rename %s: %s", tmp,
			       strerror(errno));
	json_decref(root);
	fs->saved_at = now; /* a failure is retried later, not every tick */
	if (rc == 0)
		fs->unsaved = false;
	return rc;
}

/* One saved association: its usage comes back if it still exists (users
 * added on the fly come back under their account). */
static int load_one(struct fairshare *fs, const json_t *e, time_t saved,
		    time_t now)
{
	const char *acc = json_string_value(json_object_get(e, "account"));
	const char *user = json_string_value(json_object_get(e, "user"));
	double usage = json_number_value(json_object_get(e, "usage"));
	long k;

	if (!acc || usage <= 0)
		return 0;
	k = user ? user_assoc(fs, acc, user, now) : lookup(fs, acc, NULL);
	if (k == -ENOMEM)
		return -ENOMEM;
	if (k < 0 || strcmp(fs->v[k].account, acc))
		return 0; /* an account that is gone */
	fs->v[k].usage =
		usage_now(fs, &fs->v[k], now) +
		fairshare_decay(usage, (double)(now - saved), fs->half_life_s);
	return 0;
}

int fairshare_load(struct fairshare *fs, const char *path, time_t now,
		   struct lv_error *err)
{
	json_error_t jerr;
	json_t *root = json_load_file(path, 0, &jerr), *arr, *e;
	time_t saved;
	size_t i;

	if (!root) {
		if (access(path, F_OK) < 0 && errno == ENOENT)
			return 0;
		return lv_errorf(err, -EINVAL, "fairshare: %s:%d: %s", path,
				 jerr.line, jerr.text);
	}
	saved = (time_t)json_integer_value(json_object_get(root, "time"));
	fs->charged_until = (time_t)json_integer_value(
		json_object_get(root, "charged_until"));
	arr = json_object_get(root, "usage");
	json_array_foreach(arr, i, e) {
		if (load_one(fs, e, saved < now ? saved : now, now) < 0) {
			json_decref(root);
			return lv_errorf(err, -ENOMEM, "out of memory");
		}
	}
	json_decref(root);
	return 0;
}
