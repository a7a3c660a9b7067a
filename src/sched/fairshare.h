/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fair share: the account tree from AccountName= lines, each account's
 * and user's recent usage (CPU-seconds decayed with
 * PriorityDecayHalfLife), and the factor 2^(-EffectvUsage/NormShares). */
#ifndef LV_SCHED_FAIRSHARE_H
#define LV_SCHED_FAIRSHARE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "common/conf.h"
#include "common/error.h"

struct fairshare;

/* Builds the tree from conf (an implicit root holds the top accounts).
 * NULL on ENOMEM. */
struct fairshare *fairshare_create(const struct lv_conf *conf, time_t now);
/* A tree for a new configuration that keeps old's usage for the
 * accounts and users that stay.  NULL on ENOMEM (old is untouched). */
struct fairshare *fairshare_rebuild(const struct fairshare *old,
				    const struct lv_conf *conf, time_t now);
void fairshare_destroy(struct fairshare *fs);

/* True when AccountName= lines exist: accounts are then checked. */
bool fairshare_has_accounts(const struct fairshare *fs);
/* The account a job of user is charged to when it names none: the first
 * account listing the user, or "root" (borrowed). */
const char *fairshare_default_account(const struct fairshare *fs,
				      const char *user);
/* True when user may charge account (always without AccountName=). */
bool fairshare_user_may_use(const struct fairshare *fs, const char *account,
			    const char *user);

/* Adds cpu_seconds to user's association under account and to every
 * account above it.  Unknown users get an association under the account
 * (root when account is NULL).  -ENOMEM. */
int fairshare_charge(struct fairshare *fs, const char *account,
		     const char *user, double cpu_seconds, time_t now);
/* Running jobs are charged in steps (PriorityCalcPeriod): their usage up
 * to this time is in the tree (0 before the first step; saved with the
 * usage). */
time_t fairshare_charged_until(const struct fairshare *fs);
void fairshare_set_charged_until(struct fairshare *fs, time_t t);

/* The fair-share factor of user under account, in [0, 1]; 1.0 for a
 * user with no usage recorded. */
double fairshare_factor(struct fairshare *fs, const char *account,
			const char *user, time_t now);

/* sshare rows: [{account, user, raw_shares, norm_shares, raw_usage,
 * effective_usage, fairshare}] in tree order; user/account filter when
 * non-NULL, all_users adds every user row (new reference). */
json_t *fairshare_to_json(struct fairshare *fs, time_t now, const char *user,
			  const char *account, bool all_users);

/* Usage on disk (StateDir/fairshare.json), so that a restart keeps it:
 * save writes a new file and renames it over the old one; load adds the
 * saved usage of every association that still exists (a missing file is
 * not an error).  0 or -errno with err set. */
int fairshare_save(struct fairshare *fs, const char *path, time_t now,
		   struct lv_error *err);
int fairshare_load(struct fairshare *fs, const char *path, time_t now,
		   struct lv_error *err);
/* True when usage changed and the last save is 30 s old (or at_exit). */
bool fairshare_save_due(const struct fairshare *fs, time_t now, bool at_exit);

/* The formula's pieces, exported for the unit tests. */
double fairshare_decay(double usage, double seconds, double half_life_s);
double fairshare_formula(double effective_usage, double norm_shares);

#endif
