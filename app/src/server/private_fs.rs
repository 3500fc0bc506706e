//! Files and folders only the service reads: folders are created 0700 (uploads and keys live
//! there); files come from `tempfile` (0600) and keep that mode when moved into storage.

use std::path::Path;

/// Creates `dir` and its missing parents with mode 0700 (existing ones are left as they are).
pub fn create_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}
