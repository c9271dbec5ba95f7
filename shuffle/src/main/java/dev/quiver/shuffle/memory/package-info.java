/**
 * Heap-side memory accounting: {@link dev.quiver.shuffle.memory.HeapBudget}, which the heap arrays
 * of hash tables reserve against before they are allocated, as Arrow buffers do against their
 * allocator. Depends on nothing but Arrow's memory module, whose {@code OutOfMemoryException} a
 * refused reservation throws.
 */
package dev.quiver.shuffle.memory;
