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
    /** Keypoint coordinates per face: six points (eyes, nose, mouth, ears) as x, y. */
    static final int KEYPOINT_VALUES = 12;
    /** Values per kept face: x, y, w, h, score, then the keypoints. */
    private static final int FACE_VALUES = 5 + KEYPOINT_VALUES;

    private final float[] anchorX = new float[ANCHORS];
    private final float[] anchorY = new float[ANCHORS];
    private final float[] score = new float[ANCHORS];
    private final float[] box = new float[ANCHORS * 4];
    private final float[] keypoints = new float[ANCHORS * KEYPOINT_VALUES];
    private final int[] order = new int[ANCHORS];
    private final boolean[] used = new boolean[ANCHORS];
    private int candidates;

    /** Kept faces: x, y, w, h, the score, then the keypoints; in [0, 1] of the input (or as the candidates were). */
    private final float[] faces = new float[ANCHORS * FACE_VALUES];
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
            for (int k = 0; k < KEYPOINT_VALUES; k += 2)
            {
                keypoints[c * KEYPOINT_VALUES + k] = boxes.getFloat(b + (4 + k) * Float.BYTES) / INPUT + anchorX[a];
                keypoints[c * KEYPOINT_VALUES + k + 1] =
                    boxes.getFloat(b + (5 + k) * Float.BYTES) / INPUT + anchorY[a];
            }
        }
    }

    void start()
    {
        candidates = 0;
        faceCount = 0;
    }

    /**
     * Adds a face already found elsewhere (another pass), in the coordinates all candidates share, for
     * {@link #suppress}; its keypoints are {@link #KEYPOINT_VALUES} values from {@code points[from]}.
     */
    void addCandidate(final float x, final float y, final float w, final float h, final float s,
        final float[] points, final int from)
    {
        final int c = candidates++;
        score[c] = s;
        box[c * 4] = x;
        box[c * 4 + 1] = y;
        box[c * 4 + 2] = w;
        box[c * 4 + 3] = h;
        System.arraycopy(points, from, keypoints, c * KEYPOINT_VALUES, KEYPOINT_VALUES);
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
            final int f = faceCount++;
            final int at = f * FACE_VALUES;
            for (int v = 0; v < FACE_VALUES; v++)
            {
                faces[at + v] = 0;
            }
            float weight = 0;
            for (int j = i; j < candidates; j++)
            {
                final int other = order[j];
                if (!used[other] && overlap(top, other) > iou)
                {
                    used[other] = true;
                    final float s = score[other];
                    weight += s;
                    for (int v = 0; v < 4; v++)
                    {
                        faces[at + v] += box[other * 4 + v] * s;
                    }
                    for (int k = 0; k < KEYPOINT_VALUES; k++)
                    {
                        faces[at + 5 + k] += keypoints[other * KEYPOINT_VALUES + k] * s;
                    }
                }
            }
            for (int v = 0; v < FACE_VALUES; v++)
            {
                faces[at + v] /= weight;
            }
            faces[at + 4] = score[top];
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
        return faces[i * FACE_VALUES];
    }

    float faceY(final int i)
    {
        return faces[i * FACE_VALUES + 1];
    }

    float faceWidth(final int i)
    {
        return faces[i * FACE_VALUES + 2];
    }

    float faceHeight(final int i)
    {
        return faces[i * FACE_VALUES + 3];
    }

    float faceScore(final int i)
    {
        return faces[i * FACE_VALUES + 4];
    }

    /** Face {@code i}'s keypoints, {@link #KEYPOINT_VALUES} values from the returned index of {@link #faces()}. */
    int keypointsAt(final int i)
    {
        return i * FACE_VALUES + 5;
    }

    /** The kept faces' values, read with {@link #keypointsAt}. */
    float[] faces()
    {
        return faces;
    }
}
