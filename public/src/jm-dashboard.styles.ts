/** Styles of `<jm-dashboard>`: page frame, header, banners, filter bar; phone layout below 640 px. */
import { css } from 'lit';

export const dashboardStyles = css`
  :host {
    display: block;
    color-scheme: var(--jm-color-scheme, dark);
  }
  .page {
    max-width: 1120px;
    margin: 0 auto;
    padding: 2.2rem 1.5rem 3rem;
  }
  .progress {
    position: fixed;
    top: 0;
    left: 0;
    right: 0;
    height: 2px;
    overflow: hidden;
    z-index: 5;
  }
  .progress::after {
    content: '';
    position: absolute;
    inset: 0;
    width: 35%;
    background: var(--_accent);
    animation: slide 1.1s ease-in-out infinite;
  }
  @keyframes slide {
    from {
      transform: translateX(-100%);
    }
    to {
      transform: translateX(300%);
    }
  }
  @media (prefers-reduced-motion: reduce) {
    .progress::after {
      animation: none;
      width: 100%;
      opacity: 0.6;
    }
  }
  header {
    margin-bottom: 1.6rem;
  }
  .top {
    display: flex;
    justify-content: space-between;
    align-items: center;
    flex-wrap: wrap;
    gap: 0.8rem 1.5rem;
    margin-bottom: 0.5rem;
  }
  h1 {
    margin: 0;
    font-size: 1.9rem;
    line-height: 1.15;
    font-weight: 750;
    letter-spacing: -0.01em;
  }
  .sub {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.4rem 1.2rem;
    color: var(--_muted);
    font-size: 0.92rem;
  }
  .overall {
    font-size: 0.8rem;
    padding: 0.22rem 0.7rem;
  }
  .controls {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.6rem;
  }
  .updated {
    font-variant-numeric: tabular-nums;
  }
  .refresh {
    min-width: 7.2rem;
  }
  .toggle {
    display: inline-flex;
    padding: 3px;
    gap: 2px;
    border-radius: 999px;
    background: var(--_surface);
    border: 1px solid var(--_border);
  }
  .toggle button {
    border: 0;
    background: transparent;
    color: var(--_muted);
    padding: 0.3rem 0.85rem;
    font-size: 0.88rem;
  }
  .toggle button[aria-pressed='true'] {
    background: color-mix(in srgb, var(--_accent) 20%, transparent);
    color: var(--_text);
  }
  .toggle button:hover:not([aria-pressed='true']) {
    color: var(--_text);
    background: color-mix(in srgb, var(--_accent) 8%, transparent);
  }
  .banner {
    margin: 0 0 1.25rem;
    padding: 0.9rem 1.1rem;
    border-radius: 14px;
    border: 1px solid color-mix(in srgb, var(--_error) 40%, transparent);
    background: color-mix(in srgb, var(--_error) 10%, var(--_surface));
    font-size: 0.92rem;
    line-height: 1.5;
  }
  .banner.auth {
    border-color: color-mix(in srgb, var(--_warn) 45%, transparent);
    background: color-mix(in srgb, var(--_warn) 8%, var(--_surface));
  }
  .banner strong {
    display: block;
    font-size: 0.98rem;
    margin-bottom: 0.15rem;
  }
  .banner .detail {
    color: var(--_muted);
    overflow-wrap: anywhere;
  }
  .banner .row {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    justify-content: space-between;
    gap: 0.6rem 1rem;
  }
  .filters {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.6rem 1.2rem;
  }
  .filters input[type='search'] {
    font: inherit;
    font-size: 0.9rem;
    color: var(--_text);
    background: var(--_surface);
    border: 1px solid var(--_border);
    border-radius: 999px;
    padding: 0.45rem 0.95rem;
    flex: 1 1 16rem;
    max-width: 26rem;
    min-width: 0;
  }
  .filters input[type='search']::placeholder {
    color: var(--_faint);
  }
  .filters label {
    display: inline-flex;
    align-items: center;
    gap: 0.45rem;
    font-size: 0.88rem;
    color: var(--_muted);
  }
  .fold {
    display: inline-flex;
    gap: 0.5rem;
    margin-left: auto;
  }
  .fold button {
    font-size: 0.8rem;
    padding: 0.25rem 0.7rem;
  }
  .hidden-nodes {
    margin: 0;
    font-size: 0.88rem;
    color: var(--_muted);
  }
  main {
    display: flex;
    flex-direction: column;
    gap: 1.25rem;
  }
  .empty {
    padding: 2rem 1.2rem;
    text-align: center;
    color: var(--_muted);
    border: 1px dashed var(--_border);
    border-radius: var(--_radius);
  }
  @media (max-width: 640px) {
    .page {
      padding: 1.3rem 0.75rem 2rem;
    }
    h1 {
      font-size: 1.5rem;
    }
    .top {
      margin-bottom: 0.7rem;
    }
  }
`;
