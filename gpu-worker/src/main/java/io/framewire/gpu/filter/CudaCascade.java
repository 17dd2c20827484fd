package io.framewire.gpu.filter;

import io.framewire.worker.filter.FaceDetectionFilter;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The face cascade in the form OpenCV's CUDA classifier reads. The CPU filter uses the OpenCV 2.4+ cascade format;
 * the CUDA Haar classifier reads only the older one ({@code size}, {@code stages/trees/feature/rects}), which the
 * OpenCV jar does not ship. The conversion is mechanical for a cascade of stumps, as the frontal-face one is: each
 * weak classifier's feature moves into its node, its threshold stays, its two leaf values become
 * {@code left_val}/{@code right_val}. CudaCascadeTest proves it by converting back with OpenCV's own converter and
 * detecting the same faces as the original.
 */
public final class CudaCascade
{
    private CudaCascade()
    {
    }

    /** The converted frontal-face cascade, written once beside the original in JavaCPP's cache. */
    public static synchronized String path()
    {
        final Path original = Path.of(FaceDetectionFilter.cascadePath());
        final Path converted = original.resolveSibling(
            FaceDetectionFilter.CASCADE.replace(".xml", "") + ".cuda-format.xml");
        try
        {
            if (!Files.exists(converted))
            {
                final Path temporary = Files.createTempFile(original.getParent(), "cascade", ".tmp");
                Files.writeString(temporary, convert(original), StandardCharsets.UTF_8);
                Files.move(temporary, converted, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write the CUDA form of " + FaceDetectionFilter.CASCADE, ex);
        }
        return converted.toString();
    }

    /** The old-format text of a new-format Haar cascade of stumps. */
    public static String convert(final Path cascade) throws IOException
    {
        final Document document;
        try
        {
            final DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            document = factory.newDocumentBuilder().parse(cascade.toFile());
        }
        catch (final Exception ex)
        {
            throw new IOException("cannot read the cascade " + cascade + ": " + ex.getMessage(), ex);
        }
        final Element root = child(document.getDocumentElement(), "cascade");
        if (!"BOOST".equals(text(root, "stageType")) || !"HAAR".equals(text(root, "featureType")))
        {
            throw new IOException("not a boosted Haar cascade: " + cascade);
        }
        final List<Element> features = items(child(root, "features"));
        final StringBuilder out = new StringBuilder(1 << 20);
        out.append("<?xml version=\"1.0\"?>\n<opencv_storage>\n<cascade type_id=\"opencv-haar-classifier\">\n");
        out.append("  <size>").append(text(root, "width")).append(' ').append(text(root, "height")).append("</size>\n");
        out.append("  <stages>\n");
        int stageIndex = 0;
        for (final Element stage : items(child(root, "stages")))
        {
            out.append("    <_>\n      <trees>\n");
            for (final Element weak : items(child(stage, "weakClassifiers")))
            {
                final String[] node = words(text(weak, "internalNodes"));
                final String[] leaves = words(text(weak, "leafValues"));
                if (node.length != 4 || leaves.length != 2 || !"0".equals(node[0]) || !"-1".equals(node[1]))
                {
                    throw new IOException("only cascades of stumps convert; stage " + stageIndex + " has a tree");
                }
                final Element feature = features.get(Integer.parseInt(node[2]));
                out.append("        <_>\n          <_>\n            <feature>\n              <rects>\n");
                for (final Element rect : items(child(feature, "rects")))
                {
                    out.append("                <_>").append(String.join(" ", words(rect.getTextContent())))
                        .append("</_>\n");
                }
                final Element tilted = optionalChild(feature, "tilted");
                out.append("              </rects>\n              <tilted>")
                    .append(tilted == null ? "0" : tilted.getTextContent().trim()).append("</tilted>\n");
                out.append("            </feature>\n            <threshold>").append(node[3]).append("</threshold>\n");
                out.append("            <left_val>").append(leaves[0]).append("</left_val>\n");
                out.append("            <right_val>").append(leaves[1]).append("</right_val>\n");
                out.append("          </_>\n        </_>\n");
            }
            out.append("      </trees>\n      <stage_threshold>").append(text(stage, "stageThreshold"))
                .append("</stage_threshold>\n      <parent>").append(stageIndex - 1)
                .append("</parent>\n      <next>-1</next>\n    </_>\n");
            stageIndex++;
        }
        out.append("  </stages>\n</cascade>\n</opencv_storage>\n");
        return out.toString();
    }

    private static String[] words(final String text)
    {
        return text.trim().split("\\s+");
    }

    private static String text(final Element parent, final String name) throws IOException
    {
        return child(parent, name).getTextContent().trim();
    }

    private static Element child(final Element parent, final String name) throws IOException
    {
        final Element found = optionalChild(parent, name);
        if (found == null)
        {
            throw new IOException("the cascade has no <" + name + "> in <" + parent.getTagName() + ">");
        }
        return found;
    }

    private static Element optionalChild(final Element parent, final String name)
    {
        for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling())
        {
            if (node instanceof Element element && element.getTagName().equals(name))
            {
                return element;
            }
        }
        return null;
    }

    /** The {@code <_>} items of a sequence. */
    private static List<Element> items(final Element sequence)
    {
        final List<Element> items = new ArrayList<>();
        for (Node node = sequence.getFirstChild(); node != null; node = node.getNextSibling())
        {
            if (node instanceof Element element && element.getTagName().equals("_"))
            {
                items.add(element);
            }
        }
        return items;
    }
}
