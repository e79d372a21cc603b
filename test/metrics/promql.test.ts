import { describe, expect, it } from 'vitest';
import {
  oneOf,
  promDuration,
  regexQuote,
  selector,
  seriesQueries,
  statusQueries,
  stringLiteral,
} from '../../lib/metrics/promql';

describe('PromQL literals', () => {
  it('writes any text as one string literal Go reads back as that text', () => {
    expect(stringLiteral('prod')).toBe('"prod"');
    expect(stringLiteral('a"} or vector(1) or up{b="')).toBe('"a\\"} or vector(1) or up{b=\\""');
    expect(stringLiteral('back\\slash')).toBe('"back\\\\slash"');
    expect(stringLiteral('line\nbreak\ttab\u0001')).toBe('"line\\nbreak\\ttab\\u0001"');
    expect(stringLiteral('arn:aws:eks:eu-west-1:1:cluster/prod@ü')).toBe('"arn:aws:eks:eu-west-1:1:cluster/prod@ü"');
    expect(stringLiteral('lone \ud800 surrogate')).toBe('"lone \ufffd surrogate"');
    expect(stringLiteral('a pair \ud83d\ude00')).toBe('"a pair \ud83d\ude00"');
  });

  it("escapes every regex metacharacter (Go's QuoteMeta set), so a name matches only itself", () => {
    expect(regexQuote('web-1.shop')).toBe('web-1\\.shop');
    expect(regexQuote('\\.+*?()|[]{}^$')).toBe('\\\\\\.\\+\\*\\?\\(\\)\\|\\[\\]\\{\\}\\^\\$');
    expect(oneOf(['a.b', 'c|d', '.*'])).toBe('a\\.b|c\\|d|\\.\\*');
    // In a matcher the regex is a string literal again: its backslashes doubled.
    expect(selector('m', [['pod', '=~', oneOf(['a.b', 'x"y'])]])).toBe('m{pod=~"a\\\\.b|x\\"y"}');
  });

  it('refuses a label name that is not one', () => {
    expect(() => selector('m', [['bad-label', '=', 'x']])).toThrow(RangeError);
    expect(() => selector('m', [['a"}', '=', 'x']])).toThrow(RangeError);
  });

  it('writes durations in the largest whole unit', () => {
    expect(promDuration(300_000)).toBe('5m');
    expect(promDuration(90_000)).toBe('90s');
    expect(promDuration(1_500)).toBe('1500ms');
  });
});

describe('seriesQueries', () => {
  it("asks for the cluster as the sum of its nodes' root cgroups", () => {
    expect(seriesQueries('cluster', 'prod', { kind: 'cluster' }, '5m')).toEqual({
      cpu: 'sum by () (irate(container_cpu_usage_seconds_total{cluster="prod",id="/"}[5m]))',
      memory: 'sum by () (container_memory_working_set_bytes{cluster="prod",id="/"})',
      by: [],
    });
  });

  it('asks for nodes by the node label, named or all', () => {
    const named = seriesQueries('k8s_cluster', 'prod', { kind: 'node', names: ['n1', 'n.2'] }, '5m');
    expect(named.cpu).toBe(
      'sum by (node) (irate(container_cpu_usage_seconds_total{k8s_cluster="prod",id="/",node=~"n1|n\\\\.2"}[5m]))',
    );
    expect(named.by).toEqual(['node']);
    expect(seriesQueries('cluster', 'prod', { kind: 'node' }, '5m').memory).toBe(
      'sum by (node) (container_memory_working_set_bytes{cluster="prod",id="/"})',
    );
  });

  it("asks for pods as their containers' series: not the pod cgroup or the sandbox, which repeat them", () => {
    const pods = seriesQueries(
      'cluster',
      'c"x',
      { kind: 'pod', namespaces: ['shop'], names: ['web-1', 'web-2'] },
      '2m',
    );
    const containers = 'cluster="c\\"x",container!="",container!="POD",image!="",namespace=~"shop",pod=~"web-1|web-2"';
    expect(pods).toEqual({
      cpu: `sum by (namespace, pod) (irate(container_cpu_usage_seconds_total{${containers}}[2m]))`,
      memory: `sum by (namespace, pod) (container_memory_working_set_bytes{${containers}})`,
      by: ['namespace', 'pod'],
    });
  });
});

describe('statusQueries', () => {
  it("counts the context's nodes and pods seen in the window, its newest sample and slowest scrape", () => {
    expect(statusQueries('cluster', 'prod', '15m')).toEqual({
      nodes: 'count(count by (node) (last_over_time(container_memory_working_set_bytes{cluster="prod",id="/"}[15m])))',
      pods: 'count(count by (namespace, pod) (last_over_time(container_memory_working_set_bytes{cluster="prod",container!="",container!="POD",image!=""}[15m])))',
      newest: 'max(timestamp(container_memory_working_set_bytes{cluster="prod",id="/"}))',
      scrapeSeconds: 'max(scrape_duration_seconds{cluster="prod"})',
    });
  });
});
