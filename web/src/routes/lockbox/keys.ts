/** The query keys of the lockbox page: files, a file's progress, the suspense queue and its items. */
export const LOCKBOX_KEY = ["lockbox"] as const;
export const SUSPENSE_KEY = [...LOCKBOX_KEY, "suspense"] as const;
