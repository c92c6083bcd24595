// helmrender renders a Helm chart's templates with Go's text/template (the engine Helm uses)
// and the subset of Helm/Sprig functions this repository's chart calls. It stands in for
// `helm template` where no helm binary is available; it is a test tool, not a Helm replacement.
//
//	helmrender -chart DIR -values values.json -chart-meta chart.json [-release NAME] [-namespace NS] [-kube-version v1.31.0]
//
// values.json and chart.json are JSON (the caller converts YAML), so numbers are float64 exactly
// as Helm sees them. Prints a JSON object mapping "templates/<file>" to the rendered text.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/template"
)

func main() {
	chartDir := flag.String("chart", "", "chart directory")
	valuesFile := flag.String("values", "", "values as JSON")
	chartMetaFile := flag.String("chart-meta", "", "Chart.yaml as JSON")
	release := flag.String("release", "release", "release name")
	namespace := flag.String("namespace", "default", "release namespace")
	kubeVersion := flag.String("kube-version", "v1.31.0", "cluster version for .Capabilities")
	flag.Parse()

	out, err := render(*chartDir, *valuesFile, *chartMetaFile, *release, *namespace, *kubeVersion)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Stdout.Write(out)
}

func readJSON(path string) (map[string]interface{}, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var v map[string]interface{}
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return v, nil
}

func render(chartDir, valuesFile, chartMetaFile, release, namespace, kubeVersion string) ([]byte, error) {
	values, err := readJSON(valuesFile)
	if err != nil {
		return nil, err
	}
	meta, err := readJSON(chartMetaFile)
	if err != nil {
		return nil, err
	}
	chartName, _ := meta["name"].(string)

	// Helm exposes Chart.yaml fields capitalised (.Chart.Name, .Chart.AppVersion).
	chart := map[string]interface{}{}
	for k, v := range meta {
		chart[strings.ToUpper(k[:1])+k[1:]] = v
	}

	root := template.New("gotpl").Option("missingkey=zero")
	funcs := funcMap(root)
	root.Funcs(funcs)

	var names []string
	templatesDir := filepath.Join(chartDir, "templates")
	err = filepath.WalkDir(templatesDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(chartDir, path)
		name := chartName + "/" + filepath.ToSlash(rel)
		text, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if _, err := root.New(name).Parse(string(text)); err != nil {
			return err
		}
		names = append(names, name)
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(names)

	result := map[string]string{}
	for _, name := range names {
		base := filepath.Base(name)
		if strings.HasPrefix(base, "_") {
			continue
		}
		data := map[string]interface{}{
			"Values":  values,
			"Chart":   chart,
			"Release": map[string]interface{}{"Name": release, "Namespace": namespace, "Service": "Helm", "IsInstall": true, "IsUpgrade": false, "Revision": 1},
			"Capabilities": map[string]interface{}{
				"KubeVersion": map[string]interface{}{"Version": kubeVersion, "GitVersion": kubeVersion},
			},
			"Template": map[string]interface{}{"Name": name, "BasePath": chartName + "/templates"},
		}
		var buf bytes.Buffer
		if err := root.ExecuteTemplate(&buf, name, data); err != nil {
			return nil, err
		}
		// Helm renders missing keys as "<no value>" and then blanks them.
		result[strings.TrimPrefix(name, chartName+"/")] = strings.ReplaceAll(buf.String(), "<no value>", "")
	}
	return json.MarshalIndent(result, "", "  ")
}
