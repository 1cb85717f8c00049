package com.pixerve.client;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Just enough JSON for Pixerve's answers and job claims: objects are Maps, arrays Lists, numbers Long or Double. */
public final class Json {
    private final String text;
    private int at;

    private Json(String text) { this.text = text; }

    public static Object parse(String text) {
        var json = new Json(text);
        var value = json.value();
        json.space();
        if (json.at != text.length()) throw json.error("trailing characters");
        return value;
    }

    public static String write(Object value) {
        var out = new StringBuilder();
        write(value, out);
        return out.toString();
    }

    private static void write(Object value, StringBuilder out) {
        if (value == null) out.append("null");
        else if (value instanceof String s) quote(s, out);
        else if (value instanceof Number || value instanceof Boolean) out.append(value);
        else if (value instanceof Map<?, ?> map) {
            out.append('{');
            var first = true;
            for (var entry : map.entrySet()) {
                if (!first) out.append(',');
                first = false;
                quote(String.valueOf(entry.getKey()), out);
                out.append(':');
                write(entry.getValue(), out);
            }
            out.append('}');
        } else if (value instanceof Iterable<?> list) {
            out.append('[');
            var first = true;
            for (var item : list) {
                if (!first) out.append(',');
                first = false;
                write(item, out);
            }
            out.append(']');
        } else if (value instanceof int[] ints) {
            var list = new ArrayList<Object>();
            for (var i : ints) list.add(i);
            write(list, out);
        } else throw new IllegalArgumentException("cannot write " + value.getClass() + " as JSON");
    }

    private static void quote(String s, StringBuilder out) {
        out.append('"');
        for (var c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
                    else out.append(c);
                }
            }
        }
        out.append('"');
    }

    private Object value() {
        space();
        if (at >= text.length()) throw error("unexpected end");
        var c = text.charAt(at);
        switch (c) {
            case '{': {
                at++;
                var map = new LinkedHashMap<String, Object>();
                space();
                if (peek('}')) return map;
                do {
                    space();
                    var key = string();
                    space();
                    expect(':');
                    map.put(key, value());
                    space();
                } while (peek(','));
                expect('}');
                return map;
            }
            case '[': {
                at++;
                var list = new ArrayList<Object>();
                space();
                if (peek(']')) return list;
                do list.add(value()); while (peekAfterSpace(','));
                space();
                expect(']');
                return list;
            }
            case '"':
                return string();
            default:
                if (text.startsWith("true", at)) { at += 4; return true; }
                if (text.startsWith("false", at)) { at += 5; return false; }
                if (text.startsWith("null", at)) { at += 4; return null; }
                return number();
        }
    }

    private Object number() {
        var start = at;
        while (at < text.length() && "+-0123456789.eE".indexOf(text.charAt(at)) >= 0) at++;
        var n = text.substring(start, at);
        if (n.isEmpty()) throw error("unexpected character");
        return n.contains(".") || n.contains("e") || n.contains("E") ? (Object) Double.parseDouble(n) : (Object) Long.parseLong(n);
    }

    private String string() {
        expect('"');
        var out = new StringBuilder();
        while (true) {
            if (at >= text.length()) throw error("unterminated string");
            var c = text.charAt(at++);
            if (c == '"') return out.toString();
            if (c != '\\') { out.append(c); continue; }
            var e = text.charAt(at++);
            switch (e) {
                case 'n' -> out.append('\n');
                case 't' -> out.append('\t');
                case 'r' -> out.append('\r');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'u' -> { out.append((char) Integer.parseInt(text.substring(at, at + 4), 16)); at += 4; }
                default -> out.append(e);
            }
        }
    }

    private void space() { while (at < text.length() && Character.isWhitespace(text.charAt(at))) at++; }
    private boolean peek(char c) { if (at < text.length() && text.charAt(at) == c) { at++; return true; } return false; }
    private boolean peekAfterSpace(char c) { space(); return peek(c); }
    private void expect(char c) { if (!peek(c)) throw error("expected '" + c + "'"); }
    private IllegalArgumentException error(String why) { return new IllegalArgumentException("JSON: " + why + " at " + at); }
}
