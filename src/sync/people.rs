//! The people and admin phases: users (bulk lookups of the accounts the
//! content named), space permissions, groups, members and audit records
//! (offset-paged lists).

use super::*;

/// The most account ids one bulk user lookup asks for.
const USERS_PER_LOOKUP: usize = 100;

impl Reader<'_, '_> {
    pub(super) fn users(&mut self) -> Result<Progress, Error> {
        let batch: Vec<String> = self
            .run()
            .users
            .iter()
            .take(USERS_PER_LOOKUP)
            .cloned()
            .collect();
        if batch.is_empty() {
            return Ok(Progress::Done);
        }
        let query: Vec<(String, String)> = batch
            .iter()
            .map(|id| ("accountId".to_string(), id.clone()))
            .collect();
        let url = self.client.url("/wiki/rest/api/user/bulk", &query);
        let (_, body) = self.client.get_json(&url)?;
        for user in Self::results(&body) {
            let record = records::user_record(&user);
            if let Some(id) = record["account-id"].as_str().map(str::to_string) {
                self.emit("users", &id, record);
            }
        }
        let run = self.run();
        for id in &batch {
            run.users.remove(id);
        }
        Ok(if run.users.is_empty() {
            Progress::Done
        } else {
            Progress::More
        })
    }

    /// The lists that need administrator rights.
    pub(super) fn admin(&mut self, phase: Phase) -> Result<Progress, Error> {
        let limit = self.config.batch_size.to_string();
        match phase {
            Phase::SpacePermissions => {
                let run = self.run();
                let Some((space_id, space_key)) = run.spaces.get(run.item).cloned() else {
                    self.delete_unseen(&["space-permissions"], "space-permissions");
                    return Ok(Progress::Done);
                };
                let Listed { results, next, .. } = self.fetch(|c| {
                    c.url(
                        &format!("/wiki/api/v2/spaces/{space_id}/permissions"),
                        &[("limit".into(), limit)],
                    )
                })?;
                for permission in results {
                    if let Some(id) = records::id_of(&permission) {
                        self.see("space-permissions", &id);
                        self.hold("space-permissions", &id, 0);
                        self.emit(
                            "space-permissions",
                            &id,
                            records::permission_record(&permission, &space_id, &space_key),
                        );
                    }
                }
                self.next_item(next)
            }
            Phase::Groups => {
                let (results, next) = self.offset_page("/wiki/rest/api/group", &[])?;
                for group in results {
                    if let Some(id) = records::id_of(&group).filter(|id| is_token(id)) {
                        self.run().groups.push(id.clone());
                        self.see("groups", &id);
                        self.hold("groups", &id, 0);
                        self.emit("groups", &id, records::group_record(&group));
                    }
                }
                let progress = self.paged(next);
                if matches!(progress, Progress::Done) {
                    self.delete_unseen(&["groups"], "groups");
                }
                Ok(progress)
            }
            Phase::GroupMembers => {
                let run = self.run();
                let Some(group) = run.groups.get(run.item).cloned() else {
                    self.delete_unseen(&["group-members"], "group-members");
                    return Ok(Progress::Done);
                };
                let (results, next) = self.offset_page(
                    &format!("/wiki/rest/api/group/{group}/membersByGroupId"),
                    &[],
                )?;
                for user in results {
                    let record = records::member_record(&group, &user);
                    if let Some(id) = record["id"].as_str().map(str::to_string) {
                        self.see("group-members", &id);
                        self.hold("group-members", &id, 0);
                        self.emit("group-members", &id, record);
                    }
                }
                self.next_item(next)
            }
            _ => {
                let run = self.run();
                let end = run.started.saturating_mul(1000);
                let mut query = vec![("endDate".to_string(), end.to_string())];
                if run.incremental {
                    let overlap = u64::from(self.config.overlap_minutes) * 60;
                    let since = self.state.since.unwrap_or(0).saturating_sub(overlap);
                    query.push(("startDate".to_string(), (since * 1000).to_string()));
                }
                let (results, next) = self.offset_page("/wiki/rest/api/audit", &query)?;
                for entry in results {
                    let record = records::audit_record(&entry);
                    if let Some(id) = record["id"].as_str().map(str::to_string) {
                        self.emit("audit-records", &id, record);
                    }
                }
                Ok(self.paged(next))
            }
        }
    }

    /// One page of a v1 list paged by `start` and `limit`; the next is asked
    /// for only while pages come back full.
    pub(super) fn offset_page(
        &mut self,
        path: &str,
        extra: &[(String, String)],
    ) -> Result<(Vec<Value>, Option<String>), Error> {
        let limit = self.config.batch_size as usize;
        let start: usize = self
            .run()
            .next
            .take()
            .and_then(|n| n.strip_prefix("start=").and_then(|s| s.parse().ok()))
            .unwrap_or(0);
        let mut query = extra.to_vec();
        query.push(("start".to_string(), start.to_string()));
        query.push(("limit".to_string(), limit.to_string()));
        let url = self.client.url(path, &query);
        let Listed { results, next, .. } = self.read_list(&url, |_, page| {
            (page.items.len() >= limit && !page.items.is_empty())
                .then(|| format!("start={}", start + limit))
        })?;
        Ok((results, next))
    }
}
