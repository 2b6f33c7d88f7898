//! A slot for one precomputation on fixed data, built on first use and shared by every thread
//! (the diagonal net's rank factor on the rank points, the test loss's factor on the test set).

use std::any::Any;
use std::sync::{Arc, OnceLock};

/// Holds one value of any type, built by the first [`get_or_init`](Cache::get_or_init).
#[derive(Debug, Default)]
pub struct Cache(OnceLock<Arc<dyn Any + Send + Sync>>);

impl Cache {
    /// The cached value of type `T`, built by `init` the first time.
    ///
    /// # Panics
    /// If the slot already holds a value of another type: one slot serves one use.
    pub fn get_or_init<T: Any + Send + Sync>(&self, init: impl FnOnce() -> T) -> Arc<T> {
        let any = self.0.get_or_init(|| Arc::new(init()) as Arc<dyn Any + Send + Sync>).clone();
        any.downcast::<T>().unwrap_or_else(|_| panic!("cache holds another type"))
    }
}
