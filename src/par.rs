//! Spreading independent per-file work over the cores.

/// `f` applied to every item, on up to one thread per core, results in the items' order. Chunks
/// are at least `min_chunk` items, so small inputs stay on one thread.
pub fn map<T: Sync, R: Send>(items: &[T], min_chunk: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    map_with(items, min_chunk, || (), |(), item| f(item))
}

/// Like [`map`], with per-thread state made by `init` (a thread-local handle, a buffer). A single
/// chunk runs on the calling thread, so small inputs pay no thread start-up.
pub fn map_with<T: Sync, S, R: Send>(
    items: &[T],
    min_chunk: usize,
    init: impl Fn() -> S + Sync,
    f: impl Fn(&mut S, &T) -> R + Sync,
) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = items.len().div_ceil(threads).max(min_chunk).max(1);
    if items.len() <= chunk {
        let mut state = init();
        return items.iter().map(|item| f(&mut state, item)).collect();
    }
    let (init, f) = (&init, &f);
    std::thread::scope(|scope| {
        let workers: Vec<_> = items
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    let mut state = init();
                    part.iter()
                        .map(|item| f(&mut state, item))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("a worker thread panicked"))
            .collect()
    })
}
