//! Copy-on-write paged vectors: the arena DOM's node and id storage, shared between the
//! states that hold it (keyframes, the seek cursor) page by page.
//!
//! Why: restoring a keyframe used to deep-copy the DOM, ~110,000 nodes with their texts
//! and attributes on a big page (milliseconds of allocation and freeing), and each
//! keyframe held a whole copy, so the memory budget allowed few of them and seeks had
//! many events to apply. Here a clone copies one pointer per page; a page is copied on
//! its first write while shared ([`Arc::make_mut`]), so a state that changes a few nodes
//! after a restore copies a few pages, and keyframes taken a few edits apart share
//! nearly everything ([`Paged::unshared_pages`] measures what they do not).

use std::sync::Arc;

/// A vector of `T` in pages of `1 << SHIFT` items, each page shared until written.
#[derive(Debug)]
pub(crate) struct Paged<T, const SHIFT: u32> {
    pages: Vec<Arc<Vec<T>>>,
    len: usize,
}

impl<T, const SHIFT: u32> Clone for Paged<T, SHIFT> {
    /// Shares every page: one reference count per page, no item copied.
    fn clone(&self) -> Self {
        Paged {
            pages: self.pages.clone(),
            len: self.len,
        }
    }
}

impl<T, const SHIFT: u32> Default for Paged<T, SHIFT> {
    fn default() -> Self {
        Paged {
            pages: Vec::new(),
            len: 0,
        }
    }
}

impl<T: Clone, const SHIFT: u32> Paged<T, SHIFT> {
    /// Items per page.
    pub(crate) const PAGE: usize = 1 << SHIFT;
    const MASK: usize = Self::PAGE - 1;

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub(crate) fn get(&self, i: usize) -> Option<&T> {
        self.pages.get(i >> SHIFT)?.get(i & Self::MASK)
    }

    /// The item, its page copied first if another state shares it.
    pub(crate) fn get_mut(&mut self, i: usize) -> Option<&mut T> {
        let page = self.pages.get_mut(i >> SHIFT)?;
        // Out-of-range indices must not copy a shared page for nothing.
        if (i & Self::MASK) >= page.len() {
            return None;
        }
        Arc::make_mut(page).get_mut(i & Self::MASK)
    }

    pub(crate) fn push(&mut self, item: T) {
        match self.pages.last_mut() {
            Some(page) if page.len() < Self::PAGE => Arc::make_mut(page).push(item),
            _ => {
                let mut page = Vec::with_capacity(Self::PAGE);
                page.push(item);
                self.pages.push(Arc::new(page));
            }
        }
        self.len += 1;
    }

    /// Grows to `len` items with copies of `fill` (never shrinks).
    pub(crate) fn grow(&mut self, len: usize, fill: T) {
        while self.len < len {
            self.push(fill.clone());
        }
    }

    pub(crate) fn clear(&mut self) {
        self.pages.clear();
        self.len = 0;
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &T> {
        self.pages.iter().flat_map(|p| p.iter())
    }

    /// The items in one vector: pages held by no one else are moved, shared ones copied.
    pub(crate) fn into_vec(self) -> Vec<T> {
        let mut out = Vec::with_capacity(self.len);
        for page in self.pages {
            match Arc::try_unwrap(page) {
                Ok(items) => out.extend(items),
                Err(shared) => out.extend_from_slice(&shared),
            }
        }
        out
    }

    /// Bytes of one page's items (not what they point to).
    pub(crate) const PAGE_BYTES: usize = Self::PAGE * std::mem::size_of::<T>();

    /// Bytes of the page table. Counted by length, not capacity, so that a clone
    /// measures what the original does.
    pub(crate) fn table_bytes(&self) -> usize {
        self.pages.len() * std::mem::size_of::<Arc<Vec<T>>>()
    }

    /// Bytes of the page table and of the pages' items (not what items point to).
    pub(crate) fn bytes(&self) -> usize {
        self.table_bytes() + self.pages.len() * Self::PAGE_BYTES
    }

    /// The item ranges of the pages where `self` and `other` differ: pages not shared
    /// at the same place, and pages only one of them has. Equal pages are never
    /// reported; a reported page may still hold equal items (it was written, or copied).
    pub(crate) fn changed_ranges<'a>(
        &'a self,
        other: &'a Self,
    ) -> impl Iterator<Item = std::ops::Range<usize>> + 'a {
        let pages = self.pages.len().max(other.pages.len());
        (0..pages).filter_map(move |i| {
            let same = match (self.pages.get(i), other.pages.get(i)) {
                (Some(p), Some(q)) => Arc::ptr_eq(p, q),
                _ => false,
            };
            (!same).then(|| (i << SHIFT)..((i + 1) << SHIFT))
        })
    }

    /// The pages of `self` that `other` does not share at the same place, in order (all
    /// of them when there is no `other`): what `self` holds beyond `other`.
    pub(crate) fn unshared_pages<'a>(
        &'a self,
        other: Option<&'a Self>,
    ) -> impl Iterator<Item = &'a [T]> + 'a {
        self.pages.iter().enumerate().filter_map(move |(i, p)| {
            let shared = other
                .and_then(|o| o.pages.get(i))
                .is_some_and(|q| Arc::ptr_eq(p, q));
            (!shared).then_some(p.as_slice())
        })
    }
}

impl<T: Clone, const SHIFT: u32> FromIterator<T> for Paged<T, SHIFT> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let mut p = Paged::default();
        for item in iter {
            p.push(item);
        }
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type P = Paged<u32, 2>;

    #[test]
    fn writes_copy_only_the_shared_page_they_touch() {
        let mut a: P = (0..10).collect();
        assert_eq!(a.len(), 10);
        assert_eq!(a.get(9), Some(&9));
        assert_eq!(a.get(10), None);
        let b = a.clone();
        assert_eq!(a.unshared_pages(Some(&b)).count(), 0);
        if let Some(x) = a.get_mut(5) {
            *x = 50;
        }
        // Page 1 (items 4..8) was copied; b still sees the old value.
        assert_eq!(a.get(5), Some(&50));
        assert_eq!(b.get(5), Some(&5));
        let diff: Vec<&[u32]> = a.unshared_pages(Some(&b)).collect();
        assert_eq!(diff, vec![&[4, 50, 6, 7][..]]);
        assert_eq!(a.unshared_pages(None).count(), 3);
        // An out-of-range write copies nothing.
        assert!(a.get_mut(11).is_none());
        a.grow(13, 7);
        assert_eq!(a.iter().copied().collect::<Vec<_>>().len(), 13);
        assert_eq!(b.len(), 10);
        assert_eq!(a.get(12), Some(&7));
        // The shared last page of b was copied when a pushed into it.
        assert_eq!(b.iter().copied().last(), Some(9));
        // Shared pages are copied out, the others moved; the items are the same.
        let all: Vec<u32> = a.iter().copied().collect();
        assert_eq!(a.into_vec(), all);
    }
}
