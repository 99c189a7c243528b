//! Genesis as a use case: the project is made by [`crate::genesis::create`], and its birth is
//! announced (`genesis.created`) to the new project's own webhooks, which its template may
//! configure.

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::UserError;
use crate::event::Event;
use crate::genesis::seed::HubMemory;
use crate::genesis::{self, Created, Skill, Template};
use crate::repo::Repo;

use super::{Emitted, Ui, publish};

/// Creates the project at `target` from `template` and `skills`, seeded from `hub`; a dry run
/// writes nothing and announces nothing.
pub fn create(
    ui: &mut dyn Ui,
    template: &Template,
    skills: &[Skill],
    hub: Option<&HubMemory>,
    target: &Path,
    answers: BTreeMap<String, String>,
    dry_run: bool,
) -> Result<(Created, Emitted), UserError> {
    let close = hub
        .map(|h| super::meaning::close_to_project(h, template, skills))
        .unwrap_or_default();
    let created = genesis::create(template, skills, hub, &close, target, answers, dry_run)?;
    let emitted = match (&created.commit, Repo::open_exact(&created.target)) {
        (Some(_), Ok(project)) => {
            let event = Event::GenesisCreated {
                template: created.template.clone(),
                skills: created.skills.clone(),
                inherited: created.inherited.iter().map(|r| r.id.clone()).collect(),
                hub: hub.map(|h| h.hub.url.clone()),
            };
            publish(&project, ui, vec![event])
        }
        _ => Emitted::default(),
    };
    Ok((created, emitted))
}
