/**
 * `<jm-api-key-form>`: asks for the API key after a 401. Emits `jm-api-key`
 * with the key and whether to remember it on this device; it stores nothing
 * itself.
 */
import { LitElement, css, html, nothing } from 'lit';
import { emit } from './events.js';
import { theme } from './theme.js';

export class JmApiKeyForm extends LitElement {
  static override properties = {
    rejected: { type: Boolean },
  };

  /** A key was sent and refused (shows "the key was rejected"). */
  rejected = false;

  static override styles = [
    theme,
    css`
      :host {
        display: block;
      }
      form {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.6rem 0.8rem;
        margin-top: 0.7rem;
      }
      label.key {
        display: flex;
        flex-direction: column;
        gap: 0.25rem;
        font-size: 0.82rem;
        color: var(--_muted);
        flex: 1 1 14rem;
        max-width: 28rem;
      }
      input[type='password'] {
        font: inherit;
        font-size: 0.92rem;
        color: var(--_text);
        background: var(--_surface-2);
        border: 1px solid var(--_border);
        border-radius: 10px;
        padding: 0.5rem 0.7rem;
        min-width: 0;
      }
      input[type='password']:focus-visible {
        outline: 2px solid var(--_focus);
        outline-offset: 1px;
      }
      label.remember {
        display: inline-flex;
        align-items: center;
        gap: 0.4rem;
        font-size: 0.85rem;
        color: var(--_muted);
        align-self: flex-end;
        padding-bottom: 0.45rem;
      }
      button {
        align-self: flex-end;
      }
      p {
        margin: 0;
        font-size: 0.86rem;
      }
    `,
  ];

  protected override render(): unknown {
    return html`${this.rejected ? html`<p>The stored key was rejected. Enter a valid key.</p>` : nothing}
      <form @submit=${this.onSubmit}>
        <label class="key"
          >API key
          <input name="key" type="password" autocomplete="off" spellcheck="false" required />
        </label>
        <label class="remember"><input name="remember" type="checkbox" checked /> Remember on this device</label>
        <button type="submit">Use key</button>
      </form>`;
  }

  private readonly onSubmit = (e: SubmitEvent): void => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const key = String(data.get('key') ?? '').trim();
    if (!key) return;
    emit(this, 'jm-api-key', { key, remember: data.get('remember') !== null });
    form.reset();
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'jm-api-key-form': JmApiKeyForm;
  }
}
