//! The Dockerfile rules, one file per rule.

mod add_instead_of_copy;
mod apt_install_recommends;
mod base_image_unpinned;
mod cd_instead_of_workdir;
mod healthcheck_missing;
mod maintainer_deprecated;
mod package_cache_kept;
mod package_versions_unpinned;
mod pipe_to_shell;
mod root_user;
mod secret_in_env_or_arg;
mod ssh_port_exposed;
mod sudo;

use crate::DockerfileRule;
use crate::dockerfile::{Command, Dockerfile, Instruction, commands};

/// Every Dockerfile rule, in id order.
pub const RULES: &[DockerfileRule] = &[
    root_user::RULE,
    base_image_unpinned::RULE,
    add_instead_of_copy::RULE,
    package_versions_unpinned::RULE,
    package_cache_kept::RULE,
    apt_install_recommends::RULE,
    healthcheck_missing::RULE,
    secret_in_env_or_arg::RULE,
    sudo::RULE,
    pipe_to_shell::RULE,
    cd_instead_of_workdir::RULE,
    ssh_port_exposed::RULE,
    maintainer_deprecated::RULE,
];

/// Every `RUN` with its shell commands.
fn runs(file: &Dockerfile) -> impl Iterator<Item = (&Instruction, Vec<Command>)> {
    file.all("RUN").map(|run| (run, commands(&run.command())))
}
