import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';
import type { z } from 'zod';
import { agentConfigSchema, fileConfigSchema, serverConfigSchema } from './schema.js';
import type { AgentConfig, ServerConfig } from './schema.js';

/** A configuration problem; the message names the file or flag and the field. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Where values come from, highest precedence first: flags, then the file, then the defaults.
 * `flags` maps a config key (e.g. `port`) to the flag that set it (e.g. `--port`), so an error
 * names what the user typed.
 */
export interface ConfigSources {
  readonly file?: string | undefined;
  readonly overrides?: Record<string, unknown>;
  readonly flags?: Record<string, string>;
}

export function loadAgentConfig(sources: ConfigSources = {}): AgentConfig {
  return loadSection('agent', agentConfigSchema, sources);
}

export function loadServerConfig(sources: ConfigSources = {}): ServerConfig {
  return loadSection('server', serverConfigSchema, sources);
}

function loadSection<S extends z.ZodType>(section: 'agent' | 'server', schema: S, sources: ConfigSources): z.infer<S> {
  const fromFile = sources.file === undefined ? {} : readSection(sources.file, section);
  const merged = { ...fromFile, ...definedOnly(sources.overrides ?? {}) };
  const parsed = schema.safeParse(merged);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const key = issue?.path.map(String).join('.') ?? '';
  const top = issue?.path[0];
  const flag = typeof top === 'string' && sources.overrides?.[top] !== undefined ? sources.flags?.[top] : undefined;
  const where = flag ?? (sources.file ? `${sources.file}: ${section}.${key}` : `${section}.${key}`);
  throw new ConfigError(`invalid configuration: ${where}: ${issue?.message ?? 'invalid value'}`);
}

function readSection(file: string, section: 'agent' | 'server'): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${file}: ${(err as Error).message}`);
  }
  // Loaded only when a file is given: the agent usually runs on flags and need not keep it resident.
  const yaml = createRequire(import.meta.url)('yaml') as typeof Yaml;
  let doc: unknown;
  try {
    doc = yaml.parse(text) ?? {};
  } catch (err) {
    const where = err instanceof yaml.YAMLParseError && err.linePos ? ` at line ${err.linePos[0].line}, column ${err.linePos[0].col}` : '';
    throw new ConfigError(`config file ${file} is not valid YAML${where}: ${(err as Error).message.split('\n')[0] ?? ''}`);
  }
  const top = fileConfigSchema.safeParse(doc);
  if (!top.success) {
    const issue = top.error.issues[0];
    throw new ConfigError(`invalid configuration: ${file}: ${issue?.message ?? 'invalid'} (top-level keys are "agent" and "server")`);
  }
  const value = top.data[section] ?? {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(`invalid configuration: ${file}: ${section}: expected a mapping`);
  }
  return value as Record<string, unknown>;
}

function definedOnly(rec: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(rec).filter(([, v]) => v !== undefined));
}
