/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lvctld's RPC handlers, one group per file (rpc_<group>.c). */
#ifndef LV_SCHED_RPC_HANDLERS_H
#define LV_SCHED_RPC_HANDLERS_H

#include "common/rpc.h"

/* rpc_node.c */
void rpc_ping(struct lv_rpc_conn *conn, const struct lv_rpc_req *req,
	      void *arg);
void rpc_node_register(struct lv_rpc_conn *conn, const struct lv_rpc_req *req,
		       void *arg);
void rpc_node_heartbeat(struct lv_rpc_conn *conn, const struct lv_rpc_req *req,
			void *arg);
void rpc_node_info(struct lv_rpc_conn *conn, const struct lv_rpc_req *req,
		   void *arg);
void rpc_part_info(struct lv_rpc_conn *conn, const struct lv_rpc_req *req,
		   void *arg);
void rpc_node_update(struct lv_rpc_conn *conn, const struct lv_rpc_req *req,
		     void *arg);
void rpc_reconfigure(struct lv_rpc_conn *conn, const struct lv_rpc_req *req,
		     void *arg);

/* rpc_job.c */
void rpc_job_submit(struct lv_rpc_conn *conn, const struct lv_rpc_req *req,
		    void *arg);
void rpc_job_info(struct lv_rpc_conn *conn, const struct lv_rpc_req *req,
		  void *arg);
void rpc_job_wait(struct lv_rpc_conn *conn, const struct lv_rpc_req *req,
		  void *arg);
void rpc_job_complete(struct lv_rpc_conn *conn, const struct lv_rpc_req *req,
		      void *arg);

/* rpc_jobctl.c */
void rpc_job_cancel(struct lv_rpc_conn *conn, const struct lv_rpc_req *req,
		    void *arg);
void rpc_job_update(struct lv_rpc_conn *conn, const struct lv_rpc_req *req,
		    void *arg);

/* rpc_step.c */
void rpc_step_create(struct lv_rpc_conn *conn, const struct lv_rpc_req *req,
		     void *arg);
void rpc_step_complete(struct lv_rpc_conn *conn, const struct lv_rpc_req *req,
		       void *arg);

/* rpc_policy.c */
void rpc_policy_info(struct lv_rpc_conn *conn, const struct lv_rpc_req *req,
		     void *arg);

/* rpc_acct.c */
void rpc_acct_query(struct lv_rpc_conn *conn, const struct lv_rpc_req *req,
		    void *arg);

/* rpc_prio.c */
void rpc_prio_info(struct lv_rpc_conn *conn, const struct lv_rpc_req *req,
		   void *arg);
void rpc_share_info(struct lv_rpc_conn *conn, const struct lv_rpc_req *req,
		    void *arg);
void rpc_sched_stats(struct lv_rpc_conn *conn, const struct lv_rpc_req *req,
		     void *arg);

#endif
