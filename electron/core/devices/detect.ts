import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

/*
 * Removable volumes attached right now. Linux: `lsblk --json` (USB transport or removable flag, mounted);
 * Windows: removable drive letters through PowerShell. Polled by the caller; appearing and disappearing
 * volumes are the difference between two polls.
 */

export interface AttachedVolume {
  /** Volume UUID or, failing that, the disk serial: what a device is registered by. */
  identity: string
  mountPoint: string
  label: string
  vendor: string
  model: string
  serial: string
  sizeBytes: number
  /** GA/T 947-style information the camera exposes in a text file on the volume, if any. */
  deviceInfo: Record<string, string>
}

interface LsblkDevice {
  name?: string
  path?: string
  rm?: boolean | string
  hotplug?: boolean | string
  tran?: string | null
  serial?: string | null
  uuid?: string | null
  label?: string | null
  mountpoint?: string | null
  mountpoints?: (string | null)[]
  size?: number | string | null
  vendor?: string | null
  model?: string | null
  children?: LsblkDevice[]
}

const truthy = (v: unknown) => v === true || v === '1' || v === 1

/** Pure: turn `lsblk --json -b -o NAME,PATH,RM,HOTPLUG,TRAN,SERIAL,UUID,LABEL,MOUNTPOINTS,SIZE,VENDOR,MODEL` into volumes. */
export function parseLsblk(json: string): Omit<AttachedVolume, 'deviceInfo'>[] {
  const out: Omit<AttachedVolume, 'deviceInfo'>[] = []
  let doc: { blockdevices?: LsblkDevice[] }
  try {
    doc = JSON.parse(json) as { blockdevices?: LsblkDevice[] }
  } catch {
    return out
  }
  const visit = (d: LsblkDevice, parent: LsblkDevice | null) => {
    const removable =
      truthy(d.rm) ||
      truthy(d.hotplug) ||
      d.tran === 'usb' ||
      (parent !== null && (truthy(parent.rm) || truthy(parent.hotplug) || parent.tran === 'usb'))
    const mount = d.mountpoint ?? d.mountpoints?.find((m) => m && m !== '[SWAP]') ?? null
    if (removable && mount) {
      const serial = (d.serial ?? parent?.serial ?? '').trim()
      out.push({
        identity: d.uuid
          ? `uuid:${d.uuid}`
          : serial
            ? `serial:${serial}`
            : `path:${d.path ?? d.name ?? mount}`,
        mountPoint: mount,
        label: (d.label ?? '').trim(),
        vendor: (d.vendor ?? parent?.vendor ?? '').trim(),
        model: (d.model ?? parent?.model ?? '').trim(),
        serial,
        sizeBytes: Number(d.size ?? 0) || 0,
      })
    }
    for (const c of d.children ?? []) visit(c, d)
  }
  for (const d of doc.blockdevices ?? []) visit(d, null)
  return out
}

/**
 * Body cameras that follow GA/T 947 keep their identity in a small text file at the volume root
 * (names vary by maker). Lines like "产品序号=…", "警号: …", "DeviceID=…" are read; nothing else is trusted.
 */
export function readDeviceInfo(mountPoint: string): Record<string, string> {
  const info: Record<string, string> = {}
  const candidates = ['DeviceInfo.txt', 'DEVICEINFO.TXT', 'device.txt', 'DEVICE.TXT', 'ZFJLY.txt', 'info.txt']
  for (const name of candidates) {
    const file = path.join(mountPoint, name)
    let text: string
    try {
      if (fs.statSync(file).size > 64 * 1024) continue
      text = fs.readFileSync(file, 'utf8')
    } catch {
      continue
    }
    for (const line of text.split(/\r?\n/)) {
      const m = /^\s*([^=:：]{1,40})\s*[=:：]\s*(.{1,120}?)\s*$/.exec(line)
      if (!m) continue
      const key = m[1]!.trim()
      const value = m[2]!.trim()
      if (/产品序号|设备编号|序列号|serial|deviceid|device_id/i.test(key)) info.productSerial = value
      else if (/警号|执法证号|officer.?(no|number|id)|userid|user_id/i.test(key)) info.officerNo = value
      else if (/姓名|警员|officer.?name|username|user_name/i.test(key)) info.officerName = value
      else if (/单位|unit|department|dept/i.test(key)) info.unit = value
      // Written by some cameras when docked: their clock now, for the clock check (devices/screen.ts).
      else if (/当前时间|设备时间|device.?time|clock/i.test(key)) info.deviceTime = value
    }
    if (Object.keys(info).length) break
  }
  return info
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 5000, maxBuffer: 4 * 1024 * 1024, windowsHide: true }, (err, stdout) =>
      resolve(err ? '' : stdout),
    )
  })
}

/**
 * Volumes mounted as folders under `root` (/media/<user>/<label> on a desktop, or a folder a test makes): each
 * folder one volume; identified by the serial in the camera's GA/T 947 info file when it has one, else by its path.
 */
export function volumesUnder(root: string): AttachedVolume[] {
  let names: fs.Dirent[]
  try {
    names = fs.readdirSync(root, { withFileTypes: true })
  } catch {
    return []
  }
  return names
    .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
    .map((d) => {
      const mountPoint = path.join(root, d.name)
      const deviceInfo = readDeviceInfo(mountPoint)
      const serial = deviceInfo.productSerial ?? ''
      return {
        identity: serial ? `serial:${serial}` : `path:${mountPoint}`,
        mountPoint,
        label: d.name,
        vendor: '',
        model: '',
        serial,
        sizeBytes: 0,
        deviceInfo,
      }
    })
}

/**
 * The removable volumes attached now, and the folders under `mountRoot` (default: LIUHEN_MOUNT_ROOT) as volumes
 * too: cameras a desktop mounts as folders, and the tests' stand-in for a camera being plugged in.
 */
export async function attachedVolumes(
  mountRoot: string | undefined = process.env.LIUHEN_MOUNT_ROOT,
): Promise<AttachedVolume[]> {
  let vols: Omit<AttachedVolume, 'deviceInfo'>[] = []
  if (process.platform === 'linux') {
    // LIUHEN_LSBLK lets the tests stand in for a camera being plugged in: the one thing this machine lacks.
    vols = parseLsblk(
      await run(process.env.LIUHEN_LSBLK || 'lsblk', [
        '--json',
        '-b',
        '-o',
        'NAME,PATH,RM,HOTPLUG,TRAN,SERIAL,UUID,LABEL,MOUNTPOINTS,SIZE,VENDOR,MODEL',
      ]),
    )
  } else if (process.platform === 'win32') {
    const out = await run('powershell.exe', [
      '-NoProfile',
      '-Command',
      'Get-CimInstance Win32_LogicalDisk -Filter "DriveType=2" | Select-Object DeviceID,VolumeName,VolumeSerialNumber,Size | ConvertTo-Json -Compress',
    ])
    try {
      const parsed = JSON.parse(out || '[]') as unknown
      const list = (Array.isArray(parsed) ? parsed : [parsed]) as {
        DeviceID: string
        VolumeName?: string
        VolumeSerialNumber?: string
        Size?: number
      }[]
      vols = list.map((d) => ({
        identity: d.VolumeSerialNumber ? `uuid:${d.VolumeSerialNumber}` : `path:${d.DeviceID}`,
        mountPoint: `${d.DeviceID}\\`,
        label: d.VolumeName ?? '',
        vendor: '',
        model: '',
        serial: d.VolumeSerialNumber ?? '',
        sizeBytes: Number(d.Size ?? 0),
      }))
    } catch {
      vols = []
    }
  }
  return [
    ...vols.map((v) => ({ ...v, deviceInfo: readDeviceInfo(v.mountPoint) })),
    ...(mountRoot ? volumesUnder(mountRoot) : []),
  ]
}
