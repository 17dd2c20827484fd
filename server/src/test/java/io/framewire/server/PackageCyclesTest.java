package io.framewire.server;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No package of framewire's main code imports one that imports it back, directly or around a loop: {@code job} is
 * the model, orchestration lives above it. Read from the sources of every module, the way a newcomer reads them.
 */
class PackageCyclesTest
{
    private static final Pattern PACKAGE = Pattern.compile("^package (io\\.framewire[\\w.]*);", Pattern.MULTILINE);
    private static final Pattern IMPORT =
        Pattern.compile("^import (?:static )?(io\\.framewire[\\w.]*?)\\.[A-Z]", Pattern.MULTILINE);

    @Test
    void noPackageDependsOnItself() throws IOException
    {
        final Map<String, Set<String>> uses = new TreeMap<>();
        try (Stream<Path> modules = Files.list(Path.of("..")))
        {
            for (final Path module : modules.toList())
            {
                final Path sources = module.resolve("src/main/java");
                if (Files.isDirectory(sources))
                {
                    read(sources, uses);
                }
            }
        }
        assertTrue(uses.containsKey("io.framewire.server.job") && uses.containsKey("io.framewire.server.run"),
            "the sources were read: " + uses.keySet());
        final List<String> cycles = new ArrayList<>();
        for (final String start : uses.keySet())
        {
            final String cycle = cycleThrough(start, uses);
            if (cycle != null)
            {
                cycles.add(cycle);
            }
        }
        assertEquals(List.of(), cycles);
    }

    private static void read(final Path sources, final Map<String, Set<String>> uses) throws IOException
    {
        try (Stream<Path> files = Files.walk(sources))
        {
            for (final Path file : files.filter(f -> f.toString().endsWith(".java")).toList())
            {
                final String text = Files.readString(file);
                final Matcher pkg = PACKAGE.matcher(text);
                if (!pkg.find())
                {
                    continue;
                }
                final Set<String> used = uses.computeIfAbsent(pkg.group(1), p -> new TreeSet<>());
                final Matcher imports = IMPORT.matcher(text);
                while (imports.find())
                {
                    if (!imports.group(1).equals(pkg.group(1)))
                    {
                        used.add(imports.group(1));
                    }
                }
            }
        }
    }

    /** A path from {@code start} back to itself, as text, or null when there is none. */
    private static String cycleThrough(final String start, final Map<String, Set<String>> uses)
    {
        final Deque<List<String>> paths = new ArrayDeque<>();
        paths.add(List.of(start));
        final Set<String> seen = new TreeSet<>();
        while (!paths.isEmpty())
        {
            final List<String> path = paths.poll();
            for (final String next : uses.getOrDefault(path.getLast(), Set.of()))
            {
                if (next.equals(start))
                {
                    return String.join(" -> ", path) + " -> " + start;
                }
                if (seen.add(next))
                {
                    final List<String> longer = new ArrayList<>(path);
                    longer.add(next);
                    paths.add(longer);
                }
            }
        }
        return null;
    }
}
