import { datasourceRef } from '../datasource.js';

/** What every panel builder of the SDK offers (each returns itself). */
interface Framable {
  title(title: string): this;
  description(description: string): this;
  datasource(datasource: typeof datasourceRef): this;
  unit(unit: string): this;
  span(w: number): this;
  height(h: number): this;
}

/** Title, description, the data source variable, unit and size: the part every wirewatch panel shares. */
export function framed<T extends Framable>(
  panel: T,
  spec: { title: string; description: string; unit: string; span: number; height: number },
): T {
  return panel
    .title(spec.title)
    .description(spec.description)
    .datasource(datasourceRef)
    .unit(spec.unit)
    .span(spec.span)
    .height(spec.height);
}
