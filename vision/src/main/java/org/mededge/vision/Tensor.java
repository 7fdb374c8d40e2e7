package org.mededge.vision;

import java.util.Arrays;

/**
 * A dense float32 tensor in row-major order. The array is owned by the tensor: stages build a new
 * one rather than change it.
 */
public record Tensor(float[] data, long[] shape) {
    public Tensor {
        long n = 1;
        for (long d : shape) {
            if (d < 1) {
                throw new IllegalArgumentException("tensor dimensions must be positive: " + Arrays.toString(shape));
            }
            n *= d;
        }
        if (n != data.length) {
            throw new IllegalArgumentException("tensor of shape " + Arrays.toString(shape) + " needs " + n
                    + " values, has " + data.length);
        }
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** The first dimension: how many items the batch holds. */
    public int batch() {
        return (int) shape[0];
    }

    /** Values per batch item. */
    public int itemSize() {
        return data.length / batch();
    }

    /** Stacks tensors of one item each into a batch. */
    public static Tensor stack(java.util.List<Tensor> items) {
        Tensor first = items.get(0);
        int size = first.data.length;
        float[] all = new float[size * items.size()];
        for (int i = 0; i < items.size(); i++) {
            Tensor t = items.get(i);
            if (t.data.length != size) {
                throw new IllegalArgumentException("cannot stack tensors of different sizes");
            }
            System.arraycopy(t.data, 0, all, i * size, size);
        }
        long[] shape = first.shape.clone();
        shape[0] = shape[0] * items.size();
        return new Tensor(all, shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && Arrays.equals(data, t.data) && Arrays.equals(shape, t.shape);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(data) + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape);
    }
}
