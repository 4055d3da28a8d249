//! A named starting point of a lab: params and seed. Every lab's presets are `Preset<ItsParams>`;
//! a preset's title and "what to watch" sentence live in the app's text table under its `id`.

#[derive(Clone, Debug, PartialEq)]
pub struct Preset<P> {
    pub id: &'static str,
    pub seed: u64,
    pub params: P,
}

/// The preset named `id` among `all`.
pub fn find<P>(all: Vec<Preset<P>>, id: &str) -> Option<Preset<P>> {
    all.into_iter().find(|p| p.id == id)
}
