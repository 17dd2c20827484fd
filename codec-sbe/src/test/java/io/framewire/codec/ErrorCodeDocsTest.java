package io.framewire.codec;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** docs/protocol.md's table of error codes lists every code the code has, and no other. */
class ErrorCodeDocsTest
{
    private static final Pattern ROW = Pattern.compile("^\\| `([a-z_]+)` \\|", Pattern.MULTILINE);

    @Test
    void theErrorTableListsExactlyTheCodes() throws IOException
    {
        final String doc = Files.readString(Path.of("..", "docs", "protocol.md"));
        final int from = doc.indexOf("### error");
        final String section = doc.substring(from, doc.indexOf("\n### ", from + 1));
        final Set<String> documented = new TreeSet<>();
        final Matcher row = ROW.matcher(section);
        while (row.find())
        {
            documented.add(row.group(1));
        }
        final Set<String> codes = Arrays.stream(ErrorCode.values()).map(ErrorCode::wireName)
            .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(codes, documented);
    }
}
