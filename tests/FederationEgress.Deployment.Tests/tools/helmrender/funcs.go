package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"text/template"
)

// funcMap holds the Helm and Sprig functions the chart uses, with Sprig's semantics.
func funcMap(root *template.Template) template.FuncMap {
	return template.FuncMap{
		"include": func(name string, data interface{}) (string, error) {
			var buf bytes.Buffer
			if err := root.ExecuteTemplate(&buf, name, data); err != nil {
				return "", err
			}
			return buf.String(), nil
		},
		"required": func(msg string, v interface{}) (interface{}, error) {
			if empty(v) {
				return nil, errors.New(msg)
			}
			return v, nil
		},
		"fail": func(msg string) (string, error) { return "", errors.New(msg) },
		"default": func(d interface{}, given ...interface{}) interface{} {
			if len(given) == 0 || empty(given[0]) {
				return d
			}
			return given[0]
		},
		"empty": empty,
		"coalesce": func(v ...interface{}) interface{} {
			for _, x := range v {
				if !empty(x) {
					return x
				}
			}
			return nil
		},
		"ternary": func(t, f interface{}, c bool) interface{} {
			if c {
				return t
			}
			return f
		},
		"trunc": func(n int, s string) string {
			if n >= 0 && len(s) > n {
				return s[:n]
			}
			return s
		},
		"trimSuffix": func(suffix, s string) string { return strings.TrimSuffix(s, suffix) },
		"trimPrefix": func(prefix, s string) string { return strings.TrimPrefix(s, prefix) },
		"trim":       strings.TrimSpace,
		"contains":   func(sub, s string) bool { return strings.Contains(s, sub) },
		"hasPrefix":  func(prefix, s string) bool { return strings.HasPrefix(s, prefix) },
		"replace":    func(old, new, s string) string { return strings.ReplaceAll(s, old, new) },
		"upper":      strings.ToUpper,
		"lower":      strings.ToLower,
		"join": func(sep string, v interface{}) string {
			var p []string
			for _, x := range toList(v) {
				p = append(p, toString(x))
			}
			return strings.Join(p, sep)
		},
		"quote": func(v ...interface{}) string {
			var p []string
			for _, x := range v {
				if x != nil {
					p = append(p, strconv.Quote(toString(x)))
				}
			}
			return strings.Join(p, " ")
		},
		"squote":   func(v interface{}) string { return "'" + toString(v) + "'" },
		"toString": toString,
		"int":      toInt,
		"int64":    func(v interface{}) int64 { return int64(toInt(v)) },
		"add": func(v ...interface{}) int64 {
			var s int64
			for _, x := range v {
				s += int64(toInt(x))
			}
			return s
		},
		"sub":     func(a, b interface{}) int64 { return int64(toInt(a) - toInt(b)) },
		"nindent": func(n int, s string) string { return "\n" + indent(n, s) },
		"indent":  indent,
		"dict": func(v ...interface{}) map[string]interface{} {
			d := map[string]interface{}{}
			for i := 0; i+1 < len(v); i += 2 {
				d[toString(v[i])] = v[i+1]
			}
			return d
		},
		"list": func(v ...interface{}) []interface{} { return v },
		"append": func(l interface{}, v interface{}) []interface{} {
			return append(append([]interface{}{}, toList(l)...), v)
		},
		"concat": func(ls ...interface{}) []interface{} {
			var r []interface{}
			for _, l := range ls {
				r = append(r, toList(l)...)
			}
			return r
		},
		"set":   func(d map[string]interface{}, k string, v interface{}) map[string]interface{} { d[k] = v; return d },
		"unset": func(d map[string]interface{}, k string) map[string]interface{} { delete(d, k); return d },
		"get": func(d map[string]interface{}, k string) interface{} {
			if v, ok := d[k]; ok {
				return v
			}
			return ""
		},
		"hasKey": func(d map[string]interface{}, k string) bool { _, ok := d[k]; return ok },
		"keys": func(d map[string]interface{}) []string {
			var k []string
			for x := range d {
				k = append(k, x)
			}
			sort.Strings(k)
			return k
		},
		"dig": func(args ...interface{}) (interface{}, error) {
			if len(args) < 2 {
				return nil, errors.New("dig needs keys, a default and a map")
			}
			d, ok := args[len(args)-1].(map[string]interface{})
			if !ok {
				return nil, errors.New("dig: last argument must be a map")
			}
			def := args[len(args)-2]
			var cur interface{} = d
			for _, k := range args[:len(args)-2] {
				m, ok := cur.(map[string]interface{})
				if !ok {
					return def, nil
				}
				if cur, ok = m[toString(k)]; !ok {
					return def, nil
				}
			}
			return cur, nil
		},
		"deepCopy": deepCopy,
		"merge": func(dst map[string]interface{}, srcs ...map[string]interface{}) map[string]interface{} {
			for _, s := range srcs {
				mergeInto(dst, s, false)
			}
			return dst
		},
		"mergeOverwrite": func(dst map[string]interface{}, srcs ...map[string]interface{}) map[string]interface{} {
			for _, s := range srcs {
				mergeInto(dst, s, true)
			}
			return dst
		},
		"mustMergeOverwrite": func(dst map[string]interface{}, srcs ...map[string]interface{}) (map[string]interface{}, error) {
			for _, s := range srcs {
				mergeInto(dst, s, true)
			}
			return dst, nil
		},
		"toYaml":        func(v interface{}) string { return strings.TrimSuffix(toYaml(normalize(v), 0), "\n") },
		"fromYaml":      fromFlatYaml,
		"toJson":        func(v interface{}) string { b, _ := json.Marshal(v); return string(b) },
		"toPrettyJson":  func(v interface{}) string { b, _ := json.MarshalIndent(v, "", "  "); return string(b) },
		"b64enc":        func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) },
		"sha256sum":     func(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) },
		"kindIs":        func(kind string, v interface{}) bool { return kindOf(v) == kind },
		"kindOf":        kindOf,
		"semverCompare": semverCompare,
	}
}

func empty(v interface{}) bool {
	if v == nil {
		return true
	}
	r := reflect.ValueOf(v)
	switch r.Kind() {
	case reflect.String, reflect.Array, reflect.Slice, reflect.Map:
		return r.Len() == 0
	case reflect.Bool:
		return !r.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return r.Int() == 0
	case reflect.Float32, reflect.Float64:
		return r.Float() == 0
	case reflect.Ptr, reflect.Interface:
		return r.IsNil()
	}
	return false
}

func kindOf(v interface{}) string {
	if v == nil {
		return "invalid"
	}
	return reflect.ValueOf(v).Kind().String()
}

func toString(v interface{}) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	default:
		return fmt.Sprint(x)
	}
}

func toInt(v interface{}) int {
	switch x := v.(type) {
	case nil:
		return 0
	case int:
		return x
	case int64:
		return int(x)
	case float64:
		return int(x)
	case string:
		n, _ := strconv.Atoi(x)
		return n
	case bool:
		if x {
			return 1
		}
		return 0
	}
	return 0
}

func toList(v interface{}) []interface{} {
	if v == nil {
		return nil
	}
	r := reflect.ValueOf(v)
	if r.Kind() != reflect.Slice && r.Kind() != reflect.Array {
		return []interface{}{v}
	}
	out := make([]interface{}, r.Len())
	for i := range out {
		out[i] = r.Index(i).Interface()
	}
	return out
}

func indent(n int, s string) string {
	pad := strings.Repeat(" ", n)
	return pad + strings.ReplaceAll(s, "\n", "\n"+pad)
}

func deepCopy(v interface{}) interface{} {
	switch x := v.(type) {
	case map[string]interface{}:
		c := make(map[string]interface{}, len(x))
		for k, e := range x {
			c[k] = deepCopy(e)
		}
		return c
	case []interface{}:
		c := make([]interface{}, len(x))
		for i, e := range x {
			c[i] = deepCopy(e)
		}
		return c
	}
	return v
}

// mergeInto deep-merges maps like mergo: nested maps merge, anything else (lists included) is
// taken from src when overwrite is set or dst lacks the key.
func mergeInto(dst, src map[string]interface{}, overwrite bool) {
	for k, sv := range src {
		dv, exists := dst[k]
		dm, dIsMap := dv.(map[string]interface{})
		sm, sIsMap := sv.(map[string]interface{})
		switch {
		case exists && dIsMap && sIsMap:
			mergeInto(dm, sm, overwrite)
		case !exists || (overwrite && !empty(sv)) || (!overwrite && empty(dv)):
			dst[k] = sv
		}
	}
}

// normalize turns typed maps/slices (e.g. []string) into the generic forms toYaml walks.
func normalize(v interface{}) interface{} {
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var out interface{}
	if json.Unmarshal(b, &out) != nil {
		return v
	}
	return out
}

var plainKey = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_./-]*$`)

func yamlKey(k string) string {
	if plainKey.MatchString(k) && k != "true" && k != "false" && k != "null" && k != "yes" && k != "no" {
		return k
	}
	return strconv.Quote(k)
}

func yamlScalar(v interface{}) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case string:
		// Double-quoted JSON strings are valid YAML and never change type.
		return strconv.Quote(x)
	}
	return strconv.Quote(fmt.Sprint(v))
}

// toYaml emits block YAML with sorted keys, like Helm's toYaml (sigs.k8s.io/yaml).
func toYaml(v interface{}, level int) string {
	pad := strings.Repeat("  ", level)
	switch x := v.(type) {
	case map[string]interface{}:
		if len(x) == 0 {
			return "{}\n"
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var b strings.Builder
		for i, k := range keys {
			if i > 0 || level > 0 {
				b.WriteString(pad)
			}
			b.WriteString(yamlKey(k) + ":")
			b.WriteString(nested(x[k], level))
		}
		return b.String()
	case []interface{}:
		if len(x) == 0 {
			return "[]\n"
		}
		var b strings.Builder
		for i, e := range x {
			if i > 0 || level > 0 {
				b.WriteString(pad)
			}
			b.WriteString("- ")
			switch e.(type) {
			case map[string]interface{}, []interface{}:
				if empty(e) {
					b.WriteString(toYaml(e, 0))
				} else {
					// First entry on the dash line, the rest indented under it.
					b.WriteString(strings.TrimPrefix(toYaml(e, level+1), strings.Repeat("  ", level+1)))
				}
			default:
				b.WriteString(yamlScalar(e) + "\n")
			}
		}
		return b.String()
	}
	return yamlScalar(v) + "\n"
}

func nested(v interface{}, level int) string {
	switch v.(type) {
	case map[string]interface{}, []interface{}:
		if empty(v) {
			return " " + toYaml(v, 0)
		}
		return "\n" + toYaml(v, level+1)
	}
	return " " + yamlScalar(v) + "\n"
}

var flatLine = regexp.MustCompile(`^([^:\s][^:]*):\s*(.*)$`)

// fromFlatYaml parses the flat `key: value` maps the chart feeds to fromYaml (label blocks).
func fromFlatYaml(s string) map[string]interface{} {
	out := map[string]interface{}{}
	for _, line := range strings.Split(s, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		m := flatLine.FindStringSubmatch(line)
		if m == nil {
			return map[string]interface{}{"Error": "fromYaml (test renderer) supports flat maps only: " + line}
		}
		val := strings.TrimSpace(m[2])
		if uq, err := strconv.Unquote(val); err == nil {
			val = uq
		}
		out[strings.TrimSpace(m[1])] = val
	}
	return out
}

// semverCompare supports the single-comparison constraints the chart uses (">=1.30-0").
func semverCompare(constraint, version string) (bool, error) {
	ops := []string{">=", "<=", "!=", ">", "<", "="}
	op := "="
	c := strings.TrimSpace(constraint)
	for _, o := range ops {
		if strings.HasPrefix(c, o) {
			op, c = o, strings.TrimSpace(c[len(o):])
			break
		}
	}
	want, err := parseVersion(c)
	if err != nil {
		return false, err
	}
	have, err := parseVersion(version)
	if err != nil {
		return false, err
	}
	cmp := 0
	for i := 0; i < 3 && cmp == 0; i++ {
		switch {
		case have[i] < want[i]:
			cmp = -1
		case have[i] > want[i]:
			cmp = 1
		}
	}
	switch op {
	case ">=":
		return cmp >= 0, nil
	case "<=":
		return cmp <= 0, nil
	case ">":
		return cmp > 0, nil
	case "<":
		return cmp < 0, nil
	case "!=":
		return cmp != 0, nil
	}
	return cmp == 0, nil
}

func parseVersion(s string) ([3]int, error) {
	var v [3]int
	s = strings.TrimPrefix(strings.TrimSpace(s), "v")
	if i := strings.IndexAny(s, "-+"); i >= 0 {
		s = s[:i]
	}
	parts := strings.Split(s, ".")
	if len(parts) > 3 || parts[0] == "" {
		return v, fmt.Errorf("bad version %q", s)
	}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil {
			return v, fmt.Errorf("bad version %q", s)
		}
		v[i] = n
	}
	return v, nil
}
