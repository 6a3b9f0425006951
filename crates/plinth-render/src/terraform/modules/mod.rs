//! The modules, one file each: `module()` is the reusable module (the same for every
//! application), `call(platform)` the block an environment's root uses to instantiate it with
//! values from the model, or `None` when the environment does not need it.

mod vpc;

use hcl::{Block, Expression};
use plinth_spec::model::Platform;

use super::Module;

/// Every module, in a stable order.
pub fn all() -> Vec<Module> {
    vec![vpc::module()]
}

/// The module calls of one environment's root.
pub fn calls(platform: &Platform) -> Vec<Block> {
    [vpc::call(platform)].into_iter().flatten().collect()
}

/// `module "name" { source = "../../../terraform/modules/name", … }`.
pub fn call(name: &str, arguments: Vec<(&str, Expression)>) -> Block {
    let mut block = Block::builder("module")
        .add_label(name)
        .add_attribute(("source", format!("../../../terraform/modules/{name}")));
    for (key, value) in arguments {
        block = block.add_attribute((key, value));
    }
    block.build()
}
