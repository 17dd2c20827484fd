package io.framewire.worker.filter;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * MediaPipe's post-processing of BlazeFace (the back-camera model, 256×256 input): 896 SSD anchors of size 1 on
 * feature maps of 16×16 (2 anchors a cell) and 8×8 (6 a cell), a box as offset / input size + anchor centre, a score
 * as the sigmoid of its logit clipped to ±100, then weighted non-maximum suppression: overlapping boxes are averaged,
 * weighted by score, rather than dropped. Boxes are in [0, 1] of the network's input. Arrays are allocated once.
 */
final class BlazeFaceDecoder
{
    static final int INPUT = 256;
    static final int ANCHORS_16 = 16 * 16 * 2;
    static final int ANCHORS_8 = 8 * 8 * 6;
    static final int ANCHORS = ANCHORS_16 + ANCHORS_8;
    /** Values per anchor in the box output: the box (x, y, w, h offsets), then six keypoints as x, y. */
    static final int BOX_VALUES = 16;

    private final float[] anchorX = new float[ANCHORS];
    private final float[] anchorY = new float[ANCHORS];
    private final float[] score = new float[ANCHORS];
    private final float[] box = new float[ANCHORS * 4];
    private final int[] order = new int[ANCHORS];
    private final boolean[] used = new boolean[ANCHORS];
    private int candidates;

    /** Kept faces: x, y, w, h in [0, 1] of the input, and the score. */
    private final float[] faces = new float[ANCHORS * 5];
    private int faceCount;

    BlazeFaceDecoder()
    {
        int a = 0;
        a = anchors(a, 16, 2);
        anchors(a, 8, 6);
    }

    private int anchors(final int from, final int size, final int perCell)
    {
        int a = from;
        for (int y = 0; y < size; y++)
        {
            for (int x = 0; x < size; x++)
            {
                for (int k = 0; k < perCell; k++)
                {
                    anchorX[a] = (x + 0.5f) / size;
                    anchorY[a] = (y + 0.5f) / size;
                    a++;
                }
            }
        }
        return a;
    }

    /**
     * Decodes one output pair: {@code scores} holds a float logit per anchor, {@code boxes} {@link #BOX_VALUES} floats
     * per anchor, for anchors {@code first} to {@code first + count - 1}. Call {@link #start()} first.
     */
    void decode(final UnsafeBuffer scores, final UnsafeBuffer boxes, final int first, final int count,
        final float threshold)
    {
        for (int i = 0; i < count; i++)
        {
            final float logit = Math.max(-100f, Math.min(100f, scores.getFloat(i * Float.BYTES)));
            final float s = (float)(1.0 / (1.0 + Math.exp(-logit)));
            if (s < threshold)
            {
                continue;
            }
            final int a = first + i;
            final int b = i * BOX_VALUES * Float.BYTES;
            final float cx = boxes.getFloat(b) / INPUT + anchorX[a];
            final float cy = boxes.getFloat(b + Float.BYTES) / INPUT + anchorY[a];
            final float w = boxes.getFloat(b + 2 * Float.BYTES) / INPUT;
            final float h = boxes.getFloat(b + 3 * Float.BYTES) / INPUT;
            final int c = candidates++;
            score[c] = s;
            box[c * 4] = cx - w / 2;
            box[c * 4 + 1] = cy - h / 2;
            box[c * 4 + 2] = w;
            box[c * 4 + 3] = h;
        }
    }

    void start()
    {
        candidates = 0;
        faceCount = 0;
    }

    /** Adds a box already found elsewhere (another tile), in the same coordinates, for {@link #suppress}. */
    void addCandidate(final float x, final float y, final float w, final float h, final float s)
    {
        final int c = candidates++;
        score[c] = s;
        box[c * 4] = x;
        box[c * 4 + 1] = y;
        box[c * 4 + 2] = w;
        box[c * 4 + 3] = h;
    }

    /** Room left for candidates. */
    int capacity()
    {
        return ANCHORS - candidates;
    }

    /** Weighted NMS of the candidates at {@code iou}: each kept face averages the boxes it overlaps. */
    void suppress(final float iou)
    {
        for (int i = 0; i < candidates; i++)
        {
            order[i] = i;
            used[i] = false;
        }
        // Insertion sort by score, highest first: a frame has few candidates over the threshold.
        for (int i = 1; i < candidates; i++)
        {
            final int o = order[i];
            int j = i - 1;
            while (j >= 0 && score[order[j]] < score[o])
            {
                order[j + 1] = order[j];
                j--;
            }
            order[j + 1] = o;
        }
        faceCount = 0;
        for (int i = 0; i < candidates; i++)
        {
            final int top = order[i];
            if (used[top])
            {
                continue;
            }
            float weight = 0;
            float x = 0;
            float y = 0;
            float w = 0;
            float h = 0;
            for (int j = i; j < candidates; j++)
            {
                final int other = order[j];
                if (!used[other] && overlap(top, other) > iou)
                {
                    used[other] = true;
                    final float s = score[other];
                    weight += s;
                    x += box[other * 4] * s;
                    y += box[other * 4 + 1] * s;
                    w += box[other * 4 + 2] * s;
                    h += box[other * 4 + 3] * s;
                }
            }
            final int f = faceCount++;
            faces[f * 5] = x / weight;
            faces[f * 5 + 1] = y / weight;
            faces[f * 5 + 2] = w / weight;
            faces[f * 5 + 3] = h / weight;
            faces[f * 5 + 4] = score[top];
        }
    }

    private float overlap(final int a, final int b)
    {
        final float ax = box[a * 4];
        final float ay = box[a * 4 + 1];
        final float bx = box[b * 4];
        final float by = box[b * 4 + 1];
        final float ix = Math.max(0, Math.min(ax + box[a * 4 + 2], bx + box[b * 4 + 2]) - Math.max(ax, bx));
        final float iy = Math.max(0, Math.min(ay + box[a * 4 + 3], by + box[b * 4 + 3]) - Math.max(ay, by));
        final float intersection = ix * iy;
        final float union = box[a * 4 + 2] * box[a * 4 + 3] + box[b * 4 + 2] * box[b * 4 + 3] - intersection;
        return union <= 0 ? 0 : intersection / union;
    }

    int faceCount()
    {
        return faceCount;
    }

    float faceX(final int i)
    {
        return faces[i * 5];
    }

    float faceY(final int i)
    {
        return faces[i * 5 + 1];
    }

    float faceWidth(final int i)
    {
        return faces[i * 5 + 2];
    }

    float faceHeight(final int i)
    {
        return faces[i * 5 + 3];
    }

    float faceScore(final int i)
    {
        return faces[i * 5 + 4];
    }
}
