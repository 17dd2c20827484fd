package io.framewire.client;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every exit status of the client is in its --help and in README's list, as the number it is. */
class ExitCodeDocsTest
{
    @Test
    void helpAndReadmeListEveryExitCode() throws Exception
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final int status = ClientMain.run(new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), "--help");
        assertEquals(ExitCode.OK, status);
        final String help = out.toString(StandardCharsets.UTF_8);
        final String readme = Files.readString(Path.of("..", "README.md"));
        int codes = 0;
        for (final Field field : ExitCode.class.getFields())
        {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == int.class)
            {
                final int code = field.getInt(null);
                assertTrue(help.matches("(?s).*\\n\\s+" + code + "\\s+\\S.*"), field.getName() + " (" + code +
                    ") in --help:\n" + help);
                assertTrue(readme.contains("`" + code + "` "), field.getName() + " (" + code + ") in README");
                codes++;
            }
        }
        assertEquals(9, codes, "the exit codes the client has");
    }
}
